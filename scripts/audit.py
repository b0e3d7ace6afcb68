"""`make audit`: bandit over the code, then pip-audit over the installed packages.

Fails on any bandit finding without a reviewed ``# nosec BXXX`` and on any known vulnerability.
The vulnerability database is on the network: when it cannot be reached, or cannot answer for a
package, the audit says so in a warning block and does not fail, because a build must not go red
for a network it does not control; the block is loud so that nobody reads it as a clean result.
"""
from __future__ import annotations

import json
import subprocess  # nosec B404 - runs the project's own tools with fixed arguments
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The vulnerability service answers per package; a slow one must not hold the build.
SERVICE_TIMEOUT_SECONDS = 10
AUDIT_TIMEOUT_SECONDS = 90


def run_bandit() -> bool:
    print("=== bandit: static security checks of app/ ===", flush=True)
    result = subprocess.run(  # nosec B603 - fixed arguments, no shell
        [str(BIN / "bandit"), "--recursive", "app", "--quiet", "--format", "custom",
         "--msg-template", "{relpath}:{line}: {test_id} [{severity}/{confidence}] {msg}"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    findings = [line for line in result.stdout.splitlines() if line.strip()]
    # bandit reads the text after "nosec BXXX" as more test ids and warns about each word of the
    # reason; those warnings are noise, anything else it says on stderr is shown.
    noise = ("is not a test name or id", "but no failed test")
    errors = [line for line in result.stderr.splitlines() if line.strip() and not any(n in line for n in noise)]
    for line in findings + errors:
        print(line)
    if result.returncode != 0:
        print(f"bandit: FAILED ({len(findings)} finding(s)). Fix each one, or mark a reviewed one with "
              "'# nosec BXXX - why it is safe' on its line.")
        return False
    print("bandit: no unreviewed finding.")
    return True


def warn(lines: list[str]) -> None:
    bar = "!" * 78
    print(bar)
    for line in lines:
        print(f"!! {line}")
    print(bar)


def run_pip_audit() -> bool:
    print("=== pip-audit: known vulnerabilities in the installed packages (PyPI advisory data) ===", flush=True)
    command = [str(BIN / "pip-audit"), "--vulnerability-service", "pypi", "--format", "json",
               "--progress-spinner", "off", "--timeout", str(SERVICE_TIMEOUT_SECONDS)]
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,  # nosec B603 - fixed arguments
                                timeout=AUDIT_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        warn([f"pip-audit did not finish in {AUDIT_TIMEOUT_SECONDS} s: the vulnerability service is too slow.",
              "Dependencies were NOT checked for known vulnerabilities. Run `make audit` again later."])
        return True
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        warn(["pip-audit could not reach the vulnerability service (PyPI):", reason[:300],
              "Dependencies were NOT checked for known vulnerabilities. Run `make audit` again with network."])
        return True
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in: {fixed})")
    audited = len(dependencies) - len(skipped)
    if skipped:
        warn([f"pip-audit could check only {audited} of {len(dependencies)} installed packages; "
              f"{len(skipped)} were NOT checked, for example:",
              *(d["skip_reason"] for d in skipped[:3]),
              "The vulnerability service has no entry for these exact releases (a private mirror or a "
              "release newer than the service knows). Check them by hand, or run `make audit` where the "
              "public index answers for them."])
    if vulnerable:
        print(f"pip-audit: FAILED: {sum(len(d['vulns']) for d in vulnerable)} known vulnerabilities in "
              f"{len(vulnerable)} package(s). Raise the lower bound in requirements*.txt to a fixed release.")
        return False
    if audited:
        print(f"pip-audit: no known vulnerability in the {audited} package(s) checked.")
    else:
        print("pip-audit: nothing could be checked (see the warning above).")
    return True


def main() -> int:
    bandit_ok = run_bandit()
    audit_ok = run_pip_audit()
    return 0 if bandit_ok and audit_ok else 1


if __name__ == "__main__":
    sys.exit(main())
