# packaging/build.mk - manual pages, the ABI guard, the .deb and .rpm
# packages and the checks on them.
#
#   make install-man      the manual pages (part of make install)
#   make check-man        every page renders without a warning     (make check)
#   make abi-check        libfleetmod and the contract against the baselines
#                         in packaging/abi                          (make check)
#   make abi-baseline     rewrite those baselines after an allowed change
#   make dist             $(B)/fleetmod-VERSION.tar.gz, git archive of HEAD
#   make deb              the .debs in $(B)/pkg (dpkg-buildpackage -b)
#   make rpm              the .rpms in $(B)/pkg (rpmbuild on Debian: lint
#                         and inspection only, see packaging/rpm/README.md)
#   make check-packages   deb + rpm, lintian, rpmlint, the rpm file lists,
#                         and the .debs installed, used and purged. Part of
#                         make check when run as root with dpkg; elsewhere
#                         (or with PACKAGE_CHECKS=no) it says why it skips.

#   make check-readme     the README's host example, built as printed
#                         against the build tree, run against mobway-sim
#   make check-install    make install into a temporary PREFIX after a make
#                         with other paths: every path rebuilt, configs
#                         never overwritten or removed once edited, the
#                         README's host built against the install   (make check)

MAN_PAGES := examples/fleetcmd/fleetcmd.1 tests/mobway-sim/mobway-sim.1 \
	tests/conformance/fleetmod-conformance.1 plugin/mobway/fleetmod-mobway.5 \
	host-api/fleetmod.3
# fleetmod-stack(5), fleetmod-policy(5) and fleetmod-journal(7) are written
# and installed with libfleetmod (host-api/build.mk), fleetmodd(8) and
# fleetmodd.conf(5) with fleetmodd (service/fleetmodd/build.mk); checked
# here with the others.
MAN_CHECKED := $(MAN_PAGES) host-api/man/fleetmod-stack.5 \
	host-api/man/fleetmod-policy.5 host-api/man/fleetmod-journal.7 \
	service/fleetmodd/fleetmodd.8 service/fleetmodd/fleetmodd.conf.5
man_section = man$(subst .,,$(suffix $(1)))

PKG_B := $(B)/pkg
DIST_TARBALL := $(B)/fleetmod-$(VERSION).tar.gz

.PHONY: install-man uninstall-man check-man abi-check abi-baseline dist deb \
	rpm check-packages

install-man:
	$(call say,INSTALL,man pages)
	$(Q)$(foreach p,$(MAN_PAGES),$(INSTALL) -D -m 0644 $(p) \
		$(DESTDIR)$(MANDIR)/$(call man_section,$(p))/$(notdir $(p)) &&) true

uninstall-man:
	$(Q)rm -f $(foreach p,$(MAN_PAGES),\
		$(DESTDIR)$(MANDIR)/$(call man_section,$(p))/$(notdir $(p)))

INSTALL_TARGETS += install-man
UNINSTALL_TARGETS += uninstall-man

check-man:
	$(Q)sh packaging/check-man.sh $(MAN_CHECKED)

# LIBFLEETMOD_SO: the real file, from host-api/build.mk.
abi-check: $(LIBFLEETMOD_SO)
	$(Q)CC="$(CC)" sh packaging/abi/abi-check.sh check $<

abi-baseline: $(LIBFLEETMOD_SO)
	$(Q)CC="$(CC)" sh packaging/abi/abi-check.sh baseline $<

CHECK_TARGETS += check-man abi-check

dist:
	$(call say,DIST,$(DIST_TARBALL))
	$(Q)mkdir -p $(B)
	$(Q)git archive --format=tar.gz --prefix=fleetmod-$(VERSION)/ \
		-o $(DIST_TARBALL) HEAD

# The package builds run a make of their own in a copy of the tree: this
# make's flags and command-line variables must not leak into it.
pkg_env := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL
DEB_TREE := $(PKG_B)/deb/fleetmod-$(VERSION)

# Both package sets are built from the make dist tarball (git HEAD), so
# they hold the same sources and never a half-edited file of the working
# tree. debian/ lives at packaging/debian: it is placed as debian/ in the
# unpacked tree.
deb: dist
	$(call say,DEB,$(PKG_B))
	$(Q)rm -rf $(PKG_B)/deb $(PKG_B)/*.deb $(PKG_B)/*.changes \
		$(PKG_B)/*.buildinfo
	$(Q)mkdir -p $(PKG_B)/deb
	$(Q)tar -xzf $(DIST_TARBALL) -C $(PKG_B)/deb
	$(Q)cp -R $(DEB_TREE)/packaging/debian $(DEB_TREE)/debian
	$(Q)cd $(DEB_TREE) && $(pkg_env) dpkg-buildpackage -b -us -uc -Jauto \
		>../build.log 2>&1 || { tail -n 40 ../build.log; \
		echo "deb: failed, full log in $(PKG_B)/deb/build.log"; exit 1; }
	$(Q)mv $(PKG_B)/deb/*.deb $(PKG_B)/deb/*.changes \
		$(PKG_B)/deb/*.buildinfo $(PKG_B)/

RPM_TOP = $(abspath $(PKG_B)/rpmbuild)
RPMBUILD_FLAGS ?=

# rpmbuild -ta: the spec comes from the tarball, so the rpm is exactly
# what make dist released. --nodeps: Debian's rpm database is empty.
rpm: dist
	$(call say,RPM,$(PKG_B))
	$(Q)rm -rf $(RPM_TOP) $(PKG_B)/*.rpm
	$(Q)mkdir -p $(RPM_TOP)
	$(Q)$(pkg_env) rpmbuild -ta --nodeps $(RPMBUILD_FLAGS) \
		--load packaging/rpm/rpm-on-debian.macros \
		--define "_topdir $(RPM_TOP)" $(DIST_TARBALL) \
		>$(PKG_B)/rpm-build.log 2>&1 || { tail -n 40 $(PKG_B)/rpm-build.log; \
		echo "rpm: failed, full log in $(PKG_B)/rpm-build.log"; exit 1; }
	$(Q)cp $(RPM_TOP)/RPMS/*/*.rpm $(RPM_TOP)/SRPMS/*.rpm $(PKG_B)/

# check-packages installs the .debs into /usr: only as root on a dpkg
# system, and never from inside a package build (debian/rules and the
# spec pass PACKAGE_CHECKS=no).
is_root = $(filter 0,$(shell id -u))
has_dpkg = $(shell command -v dpkg-buildpackage)
# Packages are built from the release sources with the distribution's
# flags, never as sanitizer builds: a SANITIZE run has nothing to add.
PACKAGE_CHECKS ?= $(if $(SANITIZE),no,$(if $(is_root),$(if $(has_dpkg),yes,no),no))
package_skip = $(if $(SANITIZE),the packages are not sanitizer builds (SANITIZE=$(SANITIZE)),$(if $(is_root),$(if $(has_dpkg),PACKAGE_CHECKS=$(PACKAGE_CHECKS) \
	was given,dpkg-buildpackage is missing (make deps)),not root: it \
	installs the .debs into /usr and purges them))

ifeq ($(PACKAGE_CHECKS),yes)
# The unit checks already ran in this make check: not again in the builds.
check-packages: export DEB_BUILD_OPTIONS := nocheck
check-packages: RPMBUILD_FLAGS := --nocheck
check-packages: deb rpm
	$(Q)VERSION=$(VERSION) sh packaging/check-packages.sh $(PKG_B)
else
check-packages:
	@echo "check-packages: skipped: $(package_skip)"
endif


CHECK_TARGETS += check-packages

# The build tree's own .pc: `PKG_CONFIG_PATH=build pkg-config fleetmod`
# finds it before any installed fleetmod.pc.
UNINSTALLED_PC := $(B)/fleetmod-uninstalled.pc
$(UNINSTALLED_PC): packaging/fleetmod-uninstalled.pc.in $(PATHS_STAMP)
	$(call say,GEN,$@)
	$(Q)sed -e 's|@SRCDIR@|$(abspath .)|' -e 's|@BUILDDIR@|$(abspath $(B))|' \
		-e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES_PRIVATE@|$(LIBFLEETMOD_PC_DEPS)|' $< >$@.tmp
	$(Q)mv $@.tmp $@

ALL_TARGETS += $(UNINSTALLED_PC)

.PHONY: check-readme check-install
# A program built with plain cc cannot load sanitizer-built libraries, and
# installing adds nothing a SANITIZE pass would check: both skip there.
ifeq ($(SANITIZE),)
check-readme: $(UNINSTALLED_PC) $(LIBFLEETMOD) $(MOBWAY_SO) $(BINDIR_B)/mobway-sim
	$(Q)rm -rf $(B)/readme-host
	$(Q)PKG_CONFIG_PATH=$(abspath $(B)) \
		FLEETMOD_MODULE_PATH=$(abspath $(MODDIR_B)) \
		sh packaging/readme-host.sh README.md $(abspath $(B))/readme-host \
		$(BINDIR_B)/mobway-sim $(abspath $(B))/readme-host/etc

# Its own build tree under a temporary directory: it rebuilds with other
# paths, which must not disturb the checks running from $(B).
check-install:
	$(Q)MAKE="$(MAKE)" CC="$(CC)" sh packaging/check-install.sh
else
check-readme check-install:
	@echo "$@: skipped: not a sanitizer matter (SANITIZE=$(SANITIZE))"
endif

CHECK_TARGETS += check-readme check-install
