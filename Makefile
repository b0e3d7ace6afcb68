# Salus: set-up and everyday commands. `make help` lists them.
#   make run    serve the demo at http://127.0.0.1:5000 (app, outbox worker, local mail sink)
#   make test   run the whole test suite (SQLite, then PostgreSQL when a server answers)
#   make audit  security checks of the code and of the installed packages

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-dev.stamp
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/*.po)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test audit translations compile-translations clean

help: ## List the commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: $(STAMP) compile-translations ## Serve the demo at http://127.0.0.1:5000 with the outbox worker and a mail sink; Ctrl-C stops all
	@bash scripts/run-dev.sh

test: $(STAMP) compile-translations ## Run the tests on SQLite, then on PostgreSQL when one answers (PYTEST_ARGS=... to narrow)
	@bash scripts/test.sh $(PYTEST_ARGS)

audit: $(STAMP) ## Security checks: bandit over app/, pip-audit over the installed packages (needs network for the latter)
	@$(BIN)/python scripts/audit.py

# The virtual environment is rebuilt only when the requirements change.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

compile-translations: $(STAMP) ## Compile the translation catalogues (.po -> .mo)
ifneq ($(CATALOGUES),)
	@$(BIN)/pybabel --quiet compile --directory app/translations
else
	@echo "No translation catalogues in app/translations yet: pages are shown in English."
endif

translations: $(STAMP) ## Extract messages, update every catalogue, then compile
	$(BIN)/pybabel --quiet extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel update -N -i app/translations/messages.pot -d app/translations
	@$(MAKE) --no-print-directory compile-translations

clean: ## Remove the virtual environment, compiled catalogues, caches and test artefacts (instance/ is kept)
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
	find app tests -name '__pycache__' -type d -prune -exec rm -rf {} +
	find app/translations -name '*.mo' -delete 2>/dev/null || true
