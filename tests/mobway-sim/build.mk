# mobway-sim: the local Mobway API simulator (tests/mobway-sim), its
# integration tests (tests/sim, `make check-sim`) and its throughput bench
# (tests/bench/sim_throughput.sh, `make bench-sim`, not part of check).

SIM_SRCS := $(wildcard tests/mobway-sim/*.c)
SIM_OBJS := $(SIM_SRCS:%.c=$(OBJDIR_B)/%.o) $(OBJDIR_B)/tests/mobway-sim/gen/fixtures_default.o
SIM_PKGS := libmicrohttpd jansson libcrypto inih
SIM_BIN  := $(BINDIR_B)/mobway-sim

$(SIM_OBJS): EXTRA_CFLAGS = $(call pc_cflags,$(SIM_PKGS))

# The default fixtures ship as a file and are compiled in from it, so the
# two cannot drift apart.
$(OBJDIR_B)/tests/mobway-sim/gen/fixtures_default.c: tests/mobway-sim/fixtures.default.ini
	$(call say,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q){ echo 'const char sim_default_fixtures[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@

$(OBJDIR_B)/tests/mobway-sim/gen/fixtures_default.o: $(OBJDIR_B)/tests/mobway-sim/gen/fixtures_default.c
	$(call say,CC,$<)
	$(Q)$(compile) -c -o $@ $<

$(SIM_BIN): $(SIM_OBJS)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(SIM_PKGS)) -lpthread

ALL_TARGETS += $(SIM_BIN)

.PHONY: check-sim bench-sim install-sim uninstall-sim
check-sim: $(SIM_BIN)
	@$(PYTHON) tests/sim/test_sim.py $(SIM_BIN)
	@sh tests/sim/test_shell.sh $(SIM_BIN)
	@$(PYTHON) tests/sim/test_valgrind.py $(SIM_BIN)
CHECK_TARGETS += check-sim

bench-sim: $(SIM_BIN)
	@sh tests/bench/sim_throughput.sh $(SIM_BIN)

install-sim: $(SIM_BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(SIM_BIN) $(DESTDIR)$(BINDIR)/mobway-sim
uninstall-sim:
	rm -f $(DESTDIR)$(BINDIR)/mobway-sim
INSTALL_TARGETS += install-sim
UNINSTALL_TARGETS += uninstall-sim
