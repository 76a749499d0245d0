"""splunklib.modularinput Script classes, one per input; ``bin/<scheme>.py`` calls ``main()``."""
