"""Authorization code + PKCE: the page sends the browser to ThousandEyes and back."""

import pytest
from ta_thousandeyes import connections, settings, splunk_service

from tests.acceptance.setup_page.conftest import HANDLER_PROCESSES

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CALLBACK = "/en-US/splunkd/__raw/servicesNS/nobody/TA-thousandeyes/ta_thousandeyes/oauth/callback"


@HANDLER_PROCESSES
def test_authorization_code_round_trip(browser, sim, splunk, service):
    client = sim.register_client(redirect_uris=[splunk.web_url + CALLBACK])
    splunk_service.write_stanza(
        service, settings.CONF_NAME, "oauth", {"client_id": client.client_id}
    )
    page = browser.open_setup()
    page.fill("#te-name", "pkce")
    page.select_option("#te-region", "us2")
    page.select_option("#te-method", "authorization_code")
    page.click("#te-connect")
    page.wait_for_selector("#email", timeout=30000)  # ThousandEyes' sign-in page
    browser.screenshot("14-thousandeyes-sign-in")
    page.fill("#email", sim.demo_email)
    page.fill("#password", sim.demo_password)
    page.click("#login")
    page.click("#continue")
    page.click("#confirm")
    page.wait_for_url("**/ta_thousandeyes_setup*", timeout=30000)
    page.wait_for_selector("tr[data-connection='pkce'] >> text=Connected")
    assert page.text_content("#te-status") == "Connected pkce."
    assert "?" not in page.url  # the outcome parameters are removed from the address
    assert connections.get_connection(service, "pkce").state == connections.CONNECTED
    browser.screenshot("15-authorization-code-connected")
