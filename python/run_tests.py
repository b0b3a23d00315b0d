"""Run the worker's unittest suite; the last line is `python: N passed, N failed`.

CI (.ci/run) reads that line; the exit status is non-zero on any failure.
Usage: python3 python/run_tests.py [-v] [pattern]
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    sys.path.insert(0, HERE)
    verbose = "-v" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "-v"]
    pattern = args[0] if args else "test_*.py"
    suite = unittest.defaultTestLoader.discover(
        os.path.join(HERE, "tswsgi_worker", "tests"), pattern=pattern,
        top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2 if verbose else 1).run(suite)
    failed = len(result.failures) + len(result.errors) + len(
        result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    sys.stdout.flush()
    print("python: %d passed, %d failed" % (passed, failed))
    return 1 if failed or result.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
