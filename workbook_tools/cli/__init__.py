"""The ``wbt`` command line. Each ``cmd_*.py`` module here adds its commands to the group."""
