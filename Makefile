# make test              the conformance suite; cluster: KUBECONFIG=... given here, else kind when
#                        it and a container engine exist, else the offline local cluster
# make check             the suite's own tests (no cluster needed)
# make cluster-up / cluster-down / cluster-kubeconfig    the offline local cluster
SHELL := /bin/bash
VENV ?= .venv
PYTEST_ARGS ?= -n 4
REPORTS ?= reports

# Only a kubeconfig named on the command line selects a cluster; one merely exported in the
# shell does not, so that `make test` never lands on a cluster by accident.
ifeq ($(origin KUBECONFIG),command line)
SUITE_KUBECONFIG := $(KUBECONFIG)
endif
export SUITE_KUBECONFIG SUITE_CONTEXT := $(CONTEXT)

.PHONY: test check deps cluster-deps cluster-build cluster-up cluster-down cluster-kubeconfig

test: deps
	@VENV=$(VENV) REPORTS=$(REPORTS) PYTEST_ARGS="$(PYTEST_ARGS)" scripts/run-suite.sh

check: deps
	$(VENV)/bin/pytest tests/unit -p no:cacheprovider -q

deps: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

cluster-deps:
	@localcluster/install-deps.sh

cluster-build: cluster-deps
	@localcluster/build.sh && localcluster/images/build.sh

cluster-up: cluster-deps
	@localcluster/up.sh

cluster-down:
	@localcluster/down.sh

cluster-kubeconfig:
	@source localcluster/lib/common.sh && lc_kubeconfig admin
