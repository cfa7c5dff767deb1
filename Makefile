# make test              the conformance suite; cluster: KUBECONFIG=... given here, or CLUSTER=kind,
#                        else (or CLUSTER=local) the offline local cluster
# make check             the suite's own tests (no cluster needed)
# make bench             one run of the suite as make test (same variables), and what it cost: wall
#                        time, longest test, waiting vs own time, API requests, peak memory
# make upgrade-baseline / upgrade-verify    before and after upgrading a cluster: ACCEPT or REJECT
# make upgrade-local     the whole upgrade flow on the local cluster (UPGRADE_FROM -> KUBE_VERSION)
# make report            renders reports/allure-results as HTML in reports/allure-report
# make cluster-up / cluster-down / cluster-kubeconfig    the offline local cluster
# make cluster-down CLUSTER=kind                         the kind cluster, its registry and network,
#                        and the Docker engine if kind/engine.sh started it
# make kind-image        the offline kind node image (kind/image/build.sh), loaded into the engine
# make mutants           the broken-cluster lab: breaks the local cluster in each way of
#                        localcluster/lab/ (MUTANTS="a b" for some), runs the tests that must notice,
#                        restores it, prints breakage -> failed tests -> first line, and the time
#                        against the same tests on the healthy cluster (MUTANTS_HEALTHY=0: not;
#                        MUTANTS_SHORT=1: only the failing tests a breakage names in LAB_SHORT)
# make variants          the healthy-variants lab: reshapes the local cluster in each healthy way of
#                        localcluster/variants/ (VARIANTS="a b" for some), runs the whole suite, puts
#                        it back; requires no failure and NOT PROVEN exactly where a variant allows
SHELL := /bin/bash
VENV ?= .venv
PYTEST_ARGS ?= -n 8
REPORTS ?= reports

# Only a kubeconfig named on the command line selects a cluster; one merely exported in the
# shell does not, so that `make test` never lands on a cluster by accident.
ifeq ($(origin KUBECONFIG),command line)
SUITE_KUBECONFIG := $(KUBECONFIG)
endif
ifeq ($(origin CLUSTER),command line)
SUITE_CLUSTER := $(CLUSTER)
endif
SUITE_CONTEXT := $(CONTEXT)
export SUITE_KUBECONFIG SUITE_CONTEXT SUITE_CLUSTER

.PHONY: test bench check report deps upgrade-baseline upgrade-verify upgrade-local cluster-deps cluster-build cluster-up cluster-down cluster-kubeconfig kind-deps kind-image mutants variants

test: deps
	@VENV=$(VENV) REPORTS=$(REPORTS) PYTEST_ARGS="$(PYTEST_ARGS)" scripts/run-suite.sh

# Its reports go to reports/bench unless REPORTS is named, beside those of a make test.
bench: deps
	@VENV=$(VENV) REPORTS=$(if $(filter file,$(origin REPORTS)),$(REPORTS)/bench,$(REPORTS)) PYTEST_ARGS="$(PYTEST_ARGS)" \
	  $(VENV)/bin/python scripts/bench.py

check: deps
	$(VENV)/bin/pytest tests/unit -p no:cacheprovider -q

upgrade-baseline: deps
	@VENV=$(VENV) REPORTS=$(REPORTS) PYTEST_ARGS="$(PYTEST_ARGS)" scripts/upgrade.sh baseline

upgrade-verify: deps
	@VENV=$(VENV) REPORTS=$(REPORTS) PYTEST_ARGS="$(PYTEST_ARGS)" scripts/upgrade.sh verify

upgrade-local: deps cluster-deps
	@VENV=$(VENV) REPORTS=$(REPORTS) PYTEST_ARGS="$(PYTEST_ARGS)" scripts/upgrade-flow.sh $(if $(BROKEN),--broken)

report: node_modules/.installed
	@test -d $(REPORTS)/allure-results || { echo "no $(REPORTS)/allure-results: run make test first"; exit 2; }
	node_modules/.bin/allure generate $(REPORTS)/allure-results -o $(REPORTS)/allure-report
	@echo "report: $(REPORTS)/allure-report/index.html (serve the folder over HTTP to view it)"

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@scripts/make-venv.sh $(VENV)

cluster-deps:
	@localcluster/install-deps.sh

cluster-build: cluster-deps
	@localcluster/build.sh && localcluster/images/build.sh

cluster-up: cluster-deps
	@localcluster/up.sh

cluster-down:
ifeq ($(SUITE_CLUSTER),kind)
	@kind/down.sh
else
	@localcluster/down.sh
endif

mutants: deps cluster-deps
	@VENV=$(VENV) REPORTS=$(REPORTS) MUTANTS="$(MUTANTS)" scripts/mutants.sh

variants: deps cluster-deps
	@VENV=$(VENV) REPORTS=$(REPORTS) VARIANTS="$(VARIANTS)" scripts/variants.sh

kind-deps:
	@kind/install-deps.sh

kind-image: kind-deps
	@kind/engine.sh up && kind/image/build.sh

cluster-kubeconfig:
	@source localcluster/lib/common.sh && lc_kubeconfig admin
