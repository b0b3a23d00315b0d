"""loader.py on its own: concurrent first loads of one script.

Regression: the unlocked fast path looked in sys.modules, where a script's
module sits from the start of its exec, so a thread could get the module
before `application` existed (a spurious 404 under load).
"""

import os
import tempfile
import threading
import unittest

from tswsgi_worker import loader


class ConcurrentLoad(unittest.TestCase):
    def test_threads_never_see_a_half_executed_script(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "slow.wsgi")
            gate = os.path.join(d, "gate")
            with open(path, "w") as f:
                # The exec blocks until the gate file exists: every other thread
                # arrives while the module is in sys.modules but incomplete.
                f.write(
                    "import os, time\n"
                    "while not os.path.exists(%r):\n"
                    "    time.sleep(0.001)\n"
                    "def application(environ, start_response):\n"
                    "    return []\n" % gate)
            results = []

            def load() -> None:
                module = loader.load_script(path)
                results.append(loader.find_application(module, "application"))

            threads = [threading.Thread(target=load) for _ in range(8)]
            for t in threads:
                t.start()
            open(gate, "w").close()
            for t in threads:
                t.join(10)
            self.assertEqual(len(results), 8)
            self.assertTrue(all(callable(a) for a in results), results)
            name = loader.module_name(os.path.abspath(path))
            self.assertIs(loader.load_script(path), loader._loaded[name])

    def test_a_failed_exec_is_retried_and_reload_replaces_the_module(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "flaky.wsgi")
            with open(path, "w") as f:
                f.write("raise RuntimeError('broken')\n")
            with self.assertRaises(RuntimeError):
                loader.load_script(path)
            with open(path, "w") as f:
                f.write("application = 1\n")
            os.utime(path, (1, 1))
            first = loader.load_script(path, reloading=True)
            self.assertEqual(first.application, 1)
            with open(path, "w") as f:
                f.write("application = 2\n")
            os.utime(path, (2, 2))
            second = loader.load_script(path, reloading=True)
            self.assertEqual(second.application, 2)
            self.assertIsNot(first, second)
            # without reloading, the loaded module is kept even if the file changes
            os.utime(path, (3, 3))
            self.assertIs(loader.load_script(path), second)


class FrontEndMtimeHint(unittest.TestCase):
    """load_script's mtime_ms: the front end's stat stands in for the worker's."""

    def test_a_matching_hint_skips_the_stat_and_a_new_one_reloads(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "hinted.wsgi")
            with open(path, "w") as f:
                f.write("application = 'one'\n")
            os.utime(path, ns=(1_700_000_000_123_456_789, 1_700_000_000_123_456_789))
            first = loader.load_script(path, reloading=True)
            stats = []
            real_stat = os.stat

            def counting_stat(*args, **kwargs):  # type: ignore[no-untyped-def]
                stats.append(args[0])
                return real_stat(*args, **kwargs)

            loader.os.stat = counting_stat  # type: ignore[attr-defined]
            try:
                # Same mtime in whole ms as the file: current, and no stat at all.
                self.assertIs(loader.load_script(path, True, 1_700_000_000_123), first)
                self.assertEqual(stats, [])
                # A hint that differs (the file changed): stat, and re-exec if it did.
                with open(path, "w") as f:
                    f.write("application = 'two'\n")
                os.utime(path, ns=(1_700_000_005_000_000_000, 1_700_000_005_000_000_000))
                second = loader.load_script(path, True, 1_700_000_005_000)
                self.assertEqual(second.application, "two")
                self.assertIsNot(second, first)
                self.assertIn(os.path.abspath(path), stats)
                # A stale hint (older than the loaded file) still checks the file.
                del stats[:]
                self.assertIs(loader.load_script(path, True, 1_700_000_000_123), second)
                self.assertEqual(len(stats), 1)
            finally:
                loader.os.stat = real_stat  # type: ignore[attr-defined]


if __name__ == "__main__":
    unittest.main()
