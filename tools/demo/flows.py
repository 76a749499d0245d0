"""The two ways to connect: the simulator (scripted approval on its pages) or a real region
(API token, or device code approved by a person). Both go through the setup page's REST."""

import os
import time
from pathlib import Path
from typing import Any, Dict

from . import connect, report
from .check import collect_and_check
from .console import Progress
from .names import ACCESS_TOKEN_LIFETIME, CONNECTION, SIM_REGION, SPLUNK_LOGIN
from .stack import APP_ID, DemoStack
from .web_client import SplunkWebClient


def mode_options(options: Any) -> Dict[str, Any]:
    from tests.simulators.thousandeyes.modes import mode_options as of_options

    return of_options(options)


def start_splunk(stack: DemoStack, package: Path, progress: Progress) -> SplunkWebClient:
    progress.step("starting the Splunk stand-in and installing the package from the .tgz")
    splunk = stack.start_splunk(package)
    progress.detail(f"splunkd {splunk.splunkd_uri}, Splunk Web {splunk.web_url}")
    web = SplunkWebClient(splunk.web_url, splunk.web_port, APP_ID)
    web.login(*SPLUNK_LOGIN)
    progress.step("logged in to Splunk Web as admin; the setup page's REST calls go through it")
    return web


DEMO_SCOPES = "organization:read tests:read alerts:read endpoint-tests:read offline_access"


def run_simulated(
    stack: DemoStack, package: Path, options: Any, progress: Progress
) -> Dict[str, Any]:
    progress.step(f"starting the ThousandEyes simulator (seed {options.seed}, {options.size})")
    modes = dict(mode_options(options), rate_limit_per_minute=options.sim_rate_limit)
    sim = stack.start_simulator(
        options.seed, options.size, options.start_epoch, ACCESS_TOKEN_LIFETIME, modes
    )
    progress.detail("modes: " + ", ".join(f"{k}={v}" for k, v in sorted(modes.items())))
    progress.detail(
        "regions: " + ", ".join(f"{k} {v['api_base_url']}" for k, v in sim.regions_conf().items())
    )
    progress.detail(f"simulated clock: {report.when(sim.clock.now())}, TLS CA {sim.ca_bundle_path}")
    web = start_splunk(stack, package, progress)
    path = stack.write_local_conf("ta_thousandeyes_regions", sim.regions_conf())
    progress.step(f"region hosts overridden in {os.path.relpath(path, stack.workdir)}")
    # Endpoint data needs a scope new connections do not ask for; an admin adds it (README).
    path = stack.write_local_conf("ta_thousandeyes_settings", {"oauth": {"scopes": DEMO_SCOPES}})
    progress.step(f"scopes with endpoint-tests:read in {os.path.relpath(path, stack.workdir)}")
    connect.save_settings(
        web, {"ca_bundle": sim.ca_bundle_path, "client_id": sim.default_client_id}
    )
    progress.step("settings saved through the setup page: CA bundle and OAuth client id")

    progress.step(f"connecting '{CONNECTION}' with the device code flow ({SIM_REGION})")

    def approve(started: Dict[str, Any]) -> None:
        sim.approve_device_via_pages(started["user_code"], region=SIM_REGION)
        progress.detail(f"approved on the simulator's pages as {sim.demo_email}")

    summary = connect.connect_with_device_code(
        web, CONNECTION, SIM_REGION, approve, sim.clock.advance, progress
    )
    connected_at = sim.clock.now()
    return collect_and_check(
        stack,
        web,
        options,
        progress,
        summary,
        advance=sim.clock.advance,
        sim=sim,
        connected_at=connected_at,
    )


def run_real(stack: DemoStack, package: Path, options: Any, progress: Progress) -> Dict[str, Any]:
    progress.step(f"using the real ThousandEyes region '{options.region}' (no simulator)")
    web = start_splunk(stack, package, progress)
    if options.api_token:
        progress.step("connecting with the user API token from the environment")
        summary = connect.connect_with_api_token(web, CONNECTION, options.region, options.api_token)
    else:
        connect.save_settings(web, {"client_id": options.client_id})
        progress.step("connecting with the device code flow: approve it in your browser")

        def approve(started: Dict[str, Any]) -> None:
            progress.detail(
                "open {} and enter the code {} (waiting up to {} s)".format(
                    started.get("verification_uri"),
                    started.get("user_code"),
                    started.get("expires_in"),
                )
            )

        summary = connect.connect_with_device_code(
            web, CONNECTION, options.region, approve, time.sleep, progress
        )
    return collect_and_check(
        stack, web, options, progress, summary, advance=None, sim=None, connected_at=time.time()
    )
