# Build and smoke-test the Windows bundle (run on Windows in PowerShell, from the repository root):
#   powershell -ExecutionPolicy Bypass -File scripts\build-windows.ps1
# The same steps as scripts/build.sh, explained in scripts/build-windows.md. Needs 64-bit Python 3.11
# from python.org on PATH as `py -3.11`. PyInstaller does not cross-compile: this runs on Windows only.
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

if (-not (Test-Path .venv)) { py -3.11 -m venv .venv }
. .venv\Scripts\Activate.ps1
python -m pip install --disable-pip-version-check -q --upgrade pip
python -m pip install --disable-pip-version-check -q -e ".[test,build]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

Remove-Item -Recurse -Force build\AllianceDesk, dist\AllianceDesk -ErrorAction SilentlyContinue
python -m PyInstaller --noconfirm --clean --log-level WARN build.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$bundle = "$PWD\dist\AllianceDesk\AllianceDesk.exe"
& $bundle --version
if ($LASTEXITCODE -ne 0) { throw "the bundle does not start" }

# the frozen smoke tests (schema and packs, migrations, exports with the bundled font, a headless
# window screenshot); the PostgreSQL driver test runs when ALLIANCE_DESK_TEST_PG_URL is set
$env:QT_QPA_PLATFORM = "offscreen"
$env:ALLIANCE_DESK_FROZEN = $bundle
python -m pytest -q tests\test_frozen.py -m slow -rs
if ($LASTEXITCODE -ne 0) { throw "frozen smoke tests failed" }
Write-Host "dist\AllianceDesk is ready: zip the folder, or wrap it with an installer (scripts\build-windows.md, Ship)"
