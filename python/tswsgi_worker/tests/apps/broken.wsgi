import does_not_exist_module_xyz  # noqa
application = None
