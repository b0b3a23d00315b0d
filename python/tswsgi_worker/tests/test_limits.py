"""limits.py: the user switch, rlimits, priority, umask, stack size, SIGXCPU.

mod_wsgi counterpart: wsgi_setup_access / wsgi_start_process (4.9.4). Host
calls go through a recording fake, so every failure message is checked
exactly without needing to break the real machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import unittest
from typing import Any, List, Optional, Tuple

from tswsgi_worker import limits

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class FakeOps:
    PRIO_PROCESS = os.PRIO_PROCESS

    def __init__(self, euid: int = 0, fail: Optional[str] = None) -> None:
        self.calls: List[Tuple[Any, ...]] = []
        self.euid = euid
        self.fail = fail

    def _call(self, name: str, *args: Any) -> None:
        self.calls.append((name,) + args)
        if name == self.fail:
            raise OSError(1, "Operation not permitted")

    def geteuid(self) -> int:
        return self.euid

    def getuid(self) -> int:
        return self.euid

    def setgid(self, gid: int) -> None:
        self._call("setgid", gid)

    def setgroups(self, groups: List[int]) -> None:
        self._call("setgroups", groups)

    def initgroups(self, user: str, gid: int) -> None:
        self._call("initgroups", user, gid)

    def setuid(self, uid: int) -> None:
        self._call("setuid", uid)

    def setpriority(self, which: int, who: int, prio: int) -> None:
        self._call("setpriority", prio)

    def umask(self, mask: int) -> int:
        self._call("umask", mask)
        return 0o022


PRIV = {"user": "www-data", "uid": 33, "gid": 33, "groups": [33, 65534]}


class SwitchUserTest(unittest.TestCase):

    def test_order_with_supplementary_groups(self) -> None:
        ops = FakeOps()
        limits.switch_user(PRIV, ops)
        self.assertEqual(ops.calls, [("setgid", 33), ("setgroups", [33, 65534]),
                                     ("setuid", 33)])

    def test_initgroups_without_a_list(self) -> None:
        ops = FakeOps()
        limits.switch_user(dict(PRIV, groups=None), ops)
        self.assertEqual(ops.calls, [("setgid", 33),
                                     ("initgroups", "www-data", 33),
                                     ("setuid", 33)])

    def test_not_root_does_nothing(self) -> None:
        ops = FakeOps(euid=1000)
        limits.switch_user(PRIV, ops)
        self.assertEqual(ops.calls, [])

    def test_uid_zero_skips_setuid(self) -> None:
        ops = FakeOps()
        limits.switch_user({"user": "root", "uid": 0, "gid": 0,
                            "groups": [0, 77]}, ops)
        self.assertEqual(ops.calls, [("setgid", 0), ("setgroups", [0, 77])])

    def test_failures_are_fatal_with_mod_wsgi_messages(self) -> None:
        cases = [
            ("setgid", PRIV,
             "Unable to set group id to gid=33: Operation not permitted"),
            ("setgroups", PRIV,
             "Unable to set supplementary groups for uname=www-data of "
             "'33,65534': Operation not permitted"),
            ("initgroups", dict(PRIV, groups=None),
             "Unable to set groups for uname=www-data and gid=33: "
             "Operation not permitted"),
            ("setuid", PRIV,
             "Unable to change to uid=33: Operation not permitted"),
        ]
        for fail, priv, message in cases:
            with self.assertRaises(limits.LimitError) as cm:
                limits.switch_user(priv, FakeOps(fail=fail))
            self.assertEqual(str(cm.exception), message)


class RlimitTest(unittest.TestCase):

    def test_values_and_cpu_hard_limit(self) -> None:
        got: List[Tuple[int, Any]] = []
        limits.set_rlimits({"cpuTimeLimit": 4, "memoryLimit": 100,
                            "virtualMemoryLimit": 200}, "g", 5.0,
                           self.fail, lambda r, v: got.append((r, v)))
        self.assertEqual(got, [(resource.RLIMIT_CPU, (4, 10)),
                               (resource.RLIMIT_DATA, (100, 100)),
                               (resource.RLIMIT_AS, (200, 200))])

    def test_zero_means_untouched(self) -> None:
        got: List[Any] = []
        limits.set_rlimits({"cpuTimeLimit": 0}, "g", 5.0, self.fail,
                           lambda r, v: got.append(r))
        self.assertEqual(got, [])

    def test_failures_are_logged_and_ignored(self) -> None:
        warned: List[str] = []

        def refuse(res: int, value: Any) -> None:
            raise ValueError("not allowed to raise maximum limit")

        limits.set_rlimits({"cpuTimeLimit": 1, "memoryLimit": 2,
                            "virtualMemoryLimit": 3}, "g", 0, warned.append,
                           refuse)
        self.assertEqual(warned, [
            "Couldn't set CPU time limit of 1 seconds for process 'g': "
            "not allowed to raise maximum limit",
            "Couldn't set memory limit of 2 for process 'g': "
            "not allowed to raise maximum limit",
            "Couldn't set virtual memory limit of 3 for process 'g': "
            "not allowed to raise maximum limit",
        ])


class ApplyTest(unittest.TestCase):

    def test_priority_before_switch_then_umask(self) -> None:
        ops = FakeOps()
        limits.apply({"cpuPriority": -2, "privileges": PRIV, "umask": 0o27},
                     "g", 5.0, self.fail, ops)
        self.assertEqual([c[0] for c in ops.calls],
                         ["setpriority", "setgid", "setgroups", "setuid",
                          "umask"])
        self.assertEqual(ops.calls[0], ("setpriority", -2))
        self.assertEqual(ops.calls[-1], ("umask", 0o27))

    def test_priority_failure_is_logged(self) -> None:
        warned: List[str] = []
        limits.apply({"cpuPriority": -2}, "g", 5.0, warned.append,
                     FakeOps(fail="setpriority"))
        self.assertEqual(warned, [
            "Couldn't set CPU priority of -2 for process 'g': "
            "Operation not permitted"])

    def test_nothing_by_default(self) -> None:
        ops = FakeOps()
        limits.apply({}, "g", 5.0, self.fail, ops)
        self.assertEqual(ops.calls, [])


CPU_SCRIPT = r"""
import os, signal, sys, threading
sys.path.insert(0, sys.argv[1])
from tswsgi_worker import limits
done = threading.Event()
logs = []
w = limits.CpuLimitWatch(7, "grp", logs.append)
w.attach(done.set, logs.append)
os.kill(os.getpid(), signal.SIGXCPU)
print(done.wait(10), logs[-1] if logs else None)
"""

EARLY_SCRIPT = r"""
import os, signal, sys, time
sys.path.insert(0, sys.argv[1])
from tswsgi_worker import limits
w = limits.CpuLimitWatch(2, "grp", lambda m: print(m, flush=True))
os.kill(os.getpid(), signal.SIGXCPU)
time.sleep(10)
print("not reached")
"""


class CpuLimitWatchTest(unittest.TestCase):

    def run_script(self, script: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", script, PYTHON_DIR],
                              capture_output=True, text=True, timeout=30)

    def test_sigxcpu_calls_stop_and_logs_the_limit(self) -> None:
        r = self.run_script(CPU_SCRIPT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(
            r.stdout.strip(),
            "True Exceeded CPU time limit of 7 seconds (cpu-time-limit), "
            "waiting for requests to complete in daemon process 'grp'; "
            "it will be replaced.")

    def test_sigxcpu_before_serving_exits_at_once(self) -> None:
        r = self.run_script(EARLY_SCRIPT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(
            r.stdout.strip(),
            "Exceeded CPU time limit of 2 seconds (cpu-time-limit), "
            "triggering immediate shutdown of daemon process 'grp'.")


if __name__ == "__main__":
    unittest.main()
