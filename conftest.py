pytest_plugins = ["fixtures.plugin", "pytester"]
