"""Stand-ins for the two systems this add-on talks to: ThousandEyes and Splunk."""
