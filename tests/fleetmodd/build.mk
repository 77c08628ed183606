# fleetmodd end to end: `make check-fleetmodd` runs
# tests/fleetmodd/test_fleetmodd.py against the built fleetmodd, mobway.so
# and mobway-sim (every route and status, bad input, 1,000 connections,
# clients that leave, SO_PEERCRED and API keys, idempotency across
# restarts, webhooks, SIGTERM and SIGHUP).

# The simulator by its path: its fragment (tests/mobway-sim) is read after
# this one, so $(SIM_BIN) is still empty here.
FLEETMODD_SIM := $(BINDIR_B)/mobway-sim

.PHONY: check-fleetmodd
check-fleetmodd: $(FLEETMODD) $(MOBWAY_SO) $(FLEETMODD_SIM)
	$(Q)$(PYTHON) tests/fleetmodd/test_fleetmodd.py --fleetmodd $(FLEETMODD) \
		--mobway $(MOBWAY_SO) --sim $(FLEETMODD_SIM)

CHECK_TARGETS += check-fleetmodd
