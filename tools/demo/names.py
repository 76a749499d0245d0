"""Fixed names and values of the demo, shared by its flows and checks."""

CONNECTION = "demo"  # the ThousandEyes connection the setup page creates
INPUT_NAME = "demo"  # every input is <scheme>://demo
START_FROM = "2h"  # the inputs' first run reaches back two hours
SIM_REGION = "us1"  # the simulator region the demo connects to
SPLUNK_LOGIN = ("admin", "changeme")  # the Splunk stand-in's admin
ACCESS_TOKEN_LIFETIME = 600  # seconds: several expire and get refreshed in a demo run
