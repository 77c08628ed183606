# fleetmodd end to end: `make check-fleetmodd` runs
# tests/fleetmodd/test_fleetmodd.py against the built fleetmodd, mobway.so
# and mobway-sim (every route and status, bad input, 1,000 connections,
# clients that leave, SO_PEERCRED and API keys, idempotency across
# restarts, webhooks, SIGTERM and SIGHUP).

.PHONY: check-fleetmodd
check-fleetmodd: $(FLEETMODD) $(MOBWAY_SO) $(SIM_BIN)
	$(Q)$(PYTHON) tests/fleetmodd/test_fleetmodd.py --fleetmodd $(FLEETMODD) \
		--mobway $(MOBWAY_SO) --sim $(SIM_BIN)

CHECK_TARGETS += check-fleetmodd
