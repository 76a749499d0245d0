"""The end-to-end demo behind `make demo` (entry point: tools/demo.py).

run       signals, build, the verdict, --serve, clean shutdown
flows     connect on the simulator or on a real region, through the setup page's REST
check     create the inputs, run them, report and check the figures
stack     the simulator, the Splunk stand-in with the package installed, the input runner
options, names, console, build_step, web_client, connect, inputs, schedule: one job each
figures, report: what landed and what it cost, the printed report; the ground-truth
comparison, duplicates and the secret scan are tests/verification.py, shared with the
acceptance tests
"""
