"""A faithful stand-in for Cisco ThousandEyes: OAuth 2.0 authorization server, approval pages,
the v7 API, rate limits and fault injection, on a controllable clock.

    from tests.simulators.thousandeyes import ThousandEyesSimulator

    with ThousandEyesSimulator(seed=7, size="small") as sim:
        urls = sim.region_urls("us1")          # api_base_url, token_url, ...
        sim.clock.advance(600)                 # no sleeping: move simulated time
        truth = sim.ground_truth("alerts", aid="2001", start=t0, end=t1, state="clear")
        sim.streams.trust(splunk.ca_bundle_path)  # streams push to HEC (see ``Streams``)
        events = sim.streams.ground_truth(stream_id, t0, t1)

Demo user: admin@example.com / thousandeyes (org "Acme Corp", account groups 2001-2003;
2004 exists but is not theirs). Second org: gina@globex.example / thousandeyes.
Default public OAuth client id: ``ta-thousandeyes-sim-client``.
"""

from .simulator import ThousandEyesSimulator

__all__ = ["ThousandEyesSimulator"]
