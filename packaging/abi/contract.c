/*
 * contract.c - the fleetmod module contract (fleetmod/module.h) as a shared
 * object, so that libabigail can record and compare its ABI.
 *
 * module.h is header-only: no library carries its types, and abidw only sees
 * the types that exported functions reach. This one function reaches every
 * type of the contract; it is never called.
 */
#include <fleetmod/module.h>

FLEETMOD_EXPORT void fleetmod_abi_contract(
    struct fleetmod_module *module, struct fleetmod_host *host,
    struct fleetmod_instance *instance, fleetmod_rc rc, fleetmod_write_fn write,
    fleetmod_call_fn call, fleetmod_module_fn entry);

void fleetmod_abi_contract(struct fleetmod_module *module,
                           struct fleetmod_host *host,
                           struct fleetmod_instance *instance, fleetmod_rc rc,
                           fleetmod_write_fn write, fleetmod_call_fn call,
                           fleetmod_module_fn entry)
{
    (void)module;
    (void)host;
    (void)instance;
    (void)rc;
    (void)write;
    (void)call;
    (void)entry;
}
