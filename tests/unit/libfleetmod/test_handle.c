/*
 * test_handle.c - libfleetmod's loader: search path, probing a module's
 * table, opening, calling and closing it. Covers handle.c (open, the three
 * calls, close) and the two steps it takes before anything of a module
 * runs: search.c (FLEETMOD_MODULE_PATH, the module directory,
 * fleetmod_module_foreach) and probe.c (the table against the contract).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fleetmod/host.h>

#include "modules/fixture.h"

static char err[FLEETMOD_ERR_MAX];

static char *module_file(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s.so", TEST_MODULES, name);
    return path;
}

#define assert_contains(haystack, needle)                                      \
    do {                                                                       \
        if (!strstr((haystack), (needle)))                                     \
            fail_msg("\"%s\" does not contain \"%s\"", (haystack), (needle));  \
    } while (0)

/* How often needle occurs in haystack. */
static int count_of(const char *haystack, const char *needle)
{
    int n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Open a module file expected to be refused, and return the error. */
static const char *refused(const char *path)
{
    struct fleetmod_handle *h = (void *)1;
    assert_int_equal(fleetmod_open(path, NULL, NULL, &h, err, sizeof err),
                     FLEETMOD_ECONFIG);
    assert_null(h);
    assert_contains(err, path);
    assert_null(strchr(err, '\n'));
    return err;
}

static void not_found_names_every_directory(void **state)
{
    (void)state;
    char path[64];
    setenv("FLEETMOD_MODULE_PATH", "/nonexistent/one::/nonexistent/two", 1);
    assert_int_equal(
        fleetmod_module_find("nosuch", path, sizeof path, err, sizeof err),
        FLEETMOD_ECONFIG);
    assert_contains(err, "nosuch.so");
    assert_contains(err, "/nonexistent/one, /nonexistent/two, ");
    assert_contains(err, fleetmod_moduledir());
    unsetenv("FLEETMOD_MODULE_PATH");
}

static void missing_path_is_named(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(fleetmod_module_find("/nonexistent/x.so", path,
                                          sizeof path, err, sizeof err),
                     FLEETMOD_ECONFIG);
    assert_contains(err, "/nonexistent/x.so");
    assert_contains(err, "No such file");
}

static void search_path_first_directory_wins(void **state)
{
    (void)state;
    char *one = fixture_tmpdir(), *two = fixture_tmpdir();
    char env[8200], path[4096], expect[4096];
    assert_int_equal(fixture_link_module(one, "mod.so", "fake"), 0);
    assert_int_equal(fixture_link_module(two, "mod.so", "fake"), 0);

    snprintf(env, sizeof env, "%s:%s", one, two);
    setenv("FLEETMOD_MODULE_PATH", env, 1);
    assert_int_equal(
        fleetmod_module_find("mod", path, sizeof path, err, sizeof err),
        FLEETMOD_OK);
    assert_string_equal(path,
                        fixture_path(expect, sizeof expect, one, "mod.so"));

    snprintf(env, sizeof env, "%s:%s", two, one);
    setenv("FLEETMOD_MODULE_PATH", env, 1);
    assert_int_equal(
        fleetmod_module_find("mod.so", path, sizeof path, err, sizeof err),
        FLEETMOD_OK);
    assert_string_equal(path,
                        fixture_path(expect, sizeof expect, two, "mod.so"));
    unsetenv("FLEETMOD_MODULE_PATH");
    fixture_rmtree(one);
    fixture_rmtree(two);
}

static void not_an_elf_file_is_refused(void **state)
{
    (void)state;
    char *dir = fixture_tmpdir(), path[4096];
    assert_int_equal(fixture_write(dir, "text.so", "not a module\n"), 0);
    assert_contains(refused(fixture_path(path, sizeof path, dir, "text.so")),
                    "cannot load module");
    /* dlerror starts with the path too: said once */
    assert_int_equal(count_of(err, path), 1);
    fixture_rmtree(dir);
}

static void missing_symbol_is_refused(void **state)
{
    (void)state;
    assert_contains(refused(module_file("broken_nosym")),
                    "does not export fleetmod_module_v1");
    assert_int_equal(count_of(err, module_file("broken_nosym")), 1);
    assert_int_equal(count_of(err, "fleetmod_module_v1"), 1);
}

static void null_table_is_refused(void **state)
{
    (void)state;
    assert_contains(refused(module_file("broken_nulltable")),
                    "fleetmod_module_v1() returned NULL");
}

static void wrong_abi_version_is_refused(void **state)
{
    (void)state;
    assert_contains(refused(module_file("broken_abi")),
                    "abi_version is 2, expected 1");
}

static void small_struct_size_is_refused(void **state)
{
    (void)state;
    assert_contains(refused(module_file("broken_small")),
                    "struct_size 8 is smaller than the v1 table");
}

static void bad_name_is_refused(void **state)
{
    (void)state;
    assert_contains(refused(module_file("broken_badname")),
                    "name \"Bad-Name\" is not [a-z0-9_]{1,32}");
}

static void empty_version_is_refused(void **state)
{
    (void)state;
    assert_contains(refused(module_file("broken_noversion")),
                    "version is empty");
}

static void missing_function_is_refused(void **state)
{
    (void)state;
    assert_contains(refused(module_file("broken_nosend")), "send is NULL");
}

static void init_failure_passes_its_rc(void **state)
{
    (void)state;
    struct fleetmod_handle *h = NULL;
    char want[PATH_MAX + FLEETMOD_ERR_MAX];
    assert_int_equal(fleetmod_open(module_file("fake"), "initrc=3", NULL, &h,
                                   err, sizeof err),
                     FLEETMOD_EAUTH);
    assert_null(h);
    /* a module that logged nothing: the rc's sentence stands in for its
     * words; the rc's name is the caller's to print (it has the rc) */
    snprintf(want, sizeof want,
             "module fake (%s) did not start with "
             "initrc=3: %s",
             module_file("fake"), fleetmod_strerror(FLEETMOD_EAUTH));
    assert_string_equal(err, want);
}

/* The lines a host was given, one after another. */
static char logged[1024];

static void collect(void *user, int level, const char *msg)
{
    (void)user;
    size_t n = strlen(logged);
    snprintf(logged + n, sizeof logged - n, "%d %s\n", level, msg);
}

static void init_error_is_the_modules_own_line_said_once(void **state)
{
    (void)state;
    struct fleetmod_host host = {sizeof host, NULL, collect};
    struct fleetmod_handle *h = NULL;
    char want[PATH_MAX + FLEETMOD_ERR_MAX];
    logged[0] = '\0';
    assert_int_equal(fleetmod_open(module_file("fake"), "saysrc=3", &host, &h,
                                   err, sizeof err),
                     FLEETMOD_EAUTH);
    assert_null(h);
    /* the module, its file, its first error line (which names the config,
     * so the config is not named again) without its own "fake: " */
    snprintf(want, sizeof want,
             "module fake (%s) did not start: "
             "saysrc=3: refused as its label asks (and 1 more in the log)",
             module_file("fake"));
    assert_string_equal(err, want);
    assert_int_equal(count_of(err, "saysrc=3"), 1);
    assert_int_equal(count_of(err, "EAUTH"), 0);
    /* and the host's log got every line as the module wrote it */
    assert_string_equal(logged, "3 fake: saysrc=3: refused as its label asks\n"
                                "4 fake: a warning is not why\n"
                                "3 fake: and a second problem\n");
}

static void init_error_has_the_modules_line_without_a_host_log(void **state)
{
    (void)state;
    struct fleetmod_handle *h = NULL;
    assert_int_equal(fleetmod_open(module_file("fake"), "saysrc=4", NULL, &h,
                                   err, sizeof err),
                     FLEETMOD_EDENIED);
    assert_null(h);
    assert_contains(err, "did not start: saysrc=4: refused as its label asks");
}

static void init_rc_beyond_known_is_internal(void **state)
{
    (void)state;
    struct fleetmod_handle *h = NULL;
    assert_int_equal(fleetmod_open(module_file("fake"), "initrc=99", NULL, &h,
                                   err, sizeof err),
                     FLEETMOD_EINTERNAL);
    assert_null(h);
}

static void open_send_close_by_name(void **state)
{
    (void)state;
    setenv("FLEETMOD_MODULE_PATH", TEST_MODULES, 1);
    struct fleetmod_handle *h = NULL;
    assert_int_equal(fleetmod_open("fake", "alpha", NULL, &h, err, sizeof err),
                     FLEETMOD_OK);
    assert_string_equal(fleetmod_handle_module(h)->name, "fake");
    assert_string_equal(fleetmod_handle_path(h), module_file("fake"));

    struct fleetmod_request req = {.vin = "9BW", .command = "location"};
    struct fleetmod_buf in = {0}, out = {0};
    struct fleetmod_reply r;
    assert_int_equal(fleetmod_request_pack(&req, &in), FLEETMOD_OK);
    assert_int_equal(
        fleetmod_send(h, in.data, in.len, fleetmod_buf_write, &out),
        FLEETMOD_OK);
    assert_int_equal(fleetmod_reply_decode(out.data, out.len, &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "fake");
    assert_string_equal(r.vin, "9BW");
    assert_string_equal(r.id, "alpha-1");
    fleetmod_reply_free(&r);
    fleetmod_buf_free(&in);
    fleetmod_buf_free(&out);
    fleetmod_close(h);
    unsetenv("FLEETMOD_MODULE_PATH");
}

struct visits {
    int n, valid;
    char names[8][64];
    char errors[8][FLEETMOD_ERR_MAX];
};

static int visit(void *user, const char *path,
                 const struct fleetmod_module *table, const char *error)
{
    struct visits *v = user;
    const char *slash = strrchr(path, '/');
    snprintf(v->names[v->n], sizeof v->names[0], "%s", slash + 1);
    snprintf(v->errors[v->n], sizeof v->errors[0], "%s", error ? error : "");
    v->valid += !!table;
    v->n++;
    return 0;
}

static void foreach_visits_in_order_and_shadows(void **state)
{
    (void)state;
    char *one = fixture_tmpdir(), *two = fixture_tmpdir(), env[8200];
    assert_int_equal(fixture_link_module(one, "b.so", "fake"), 0);
    assert_int_equal(fixture_link_module(one, "a.so", "broken_abi"), 0);
    assert_int_equal(fixture_write(one, "readme.txt", "not a module"), 0);
    assert_int_equal(fixture_link_module(two, "a.so", "fake"), 0);
    assert_int_equal(fixture_link_module(two, "c.so", "fake"), 0);
    snprintf(env, sizeof env, "%s:%s", one, two);
    setenv("FLEETMOD_MODULE_PATH", env, 1);

    struct visits v = {0};
    size_t n = fleetmod_modules_foreach(visit, &v);
    /* The module directory may hold installed modules: only ours are
     * checked, and they come first. */
    assert_true(n >= 3);
    assert_string_equal(v.names[0], "a.so");
    assert_contains(v.errors[0], "abi_version is 2");
    assert_string_equal(v.names[1], "b.so");
    assert_string_equal(v.errors[1], "");
    assert_string_equal(v.names[2], "c.so");
    assert_true(v.valid >= 2);
    unsetenv("FLEETMOD_MODULE_PATH");
    fixture_rmtree(one);
    fixture_rmtree(two);
}

static int stop_at_first(void *user, const char *path,
                         const struct fleetmod_module *table, const char *error)
{
    (void)path;
    (void)table;
    (void)error;
    (*(int *)user)++;
    return 1;
}

static void foreach_stops_when_asked(void **state)
{
    (void)state;
    char *one = fixture_tmpdir();
    assert_int_equal(fixture_link_module(one, "a.so", "fake"), 0);
    assert_int_equal(fixture_link_module(one, "b.so", "fake"), 0);
    setenv("FLEETMOD_MODULE_PATH", one, 1);
    int calls = 0;
    assert_int_equal(fleetmod_modules_foreach(stop_at_first, &calls), 1);
    assert_int_equal(calls, 1);
    unsetenv("FLEETMOD_MODULE_PATH");
    fixture_rmtree(one);
}

/* The three calls on a NULL handle: EINVAL, no crash, and the one reply
 * map every call promises when there is somewhere to write it. */
static void calls_on_no_handle_are_einval_with_a_reply(void **state)
{
    (void)state;
    typedef fleetmod_rc (*call_fn)(struct fleetmod_handle *, const char *,
                                   size_t, fleetmod_write_fn, void *);
    /* cppcheck 2.10 takes a table of function pointers for unset */
    /* cppcheck-suppress uninitvar */
    const call_fn fns[] = {fleetmod_send, fleetmod_confirm, fleetmod_status};
    for (size_t i = 0; i < 3; i++) {
        struct fleetmod_buf out = {0};
        struct fleetmod_reply r;
        assert_int_equal(fns[i](NULL, "\x80", 1, fleetmod_buf_write, &out),
                         FLEETMOD_EINVAL);
        assert_int_equal(fleetmod_reply_decode(out.data, out.len, &r),
                         FLEETMOD_OK);
        assert_string_equal(r.status, "failed");
        assert_true(r.has_error);
        assert_int_equal(r.error.code, FLEETMOD_EINVAL);
        assert_string_equal(r.error.delivered, "no");
        fleetmod_reply_free(&r);
        fleetmod_buf_free(&out);
        assert_int_equal(fns[i](NULL, "\x80", 1, NULL, NULL), FLEETMOD_EINVAL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(not_found_names_every_directory),
        cmocka_unit_test(missing_path_is_named),
        cmocka_unit_test(search_path_first_directory_wins),
        cmocka_unit_test(not_an_elf_file_is_refused),
        cmocka_unit_test(missing_symbol_is_refused),
        cmocka_unit_test(null_table_is_refused),
        cmocka_unit_test(wrong_abi_version_is_refused),
        cmocka_unit_test(small_struct_size_is_refused),
        cmocka_unit_test(bad_name_is_refused),
        cmocka_unit_test(empty_version_is_refused),
        cmocka_unit_test(missing_function_is_refused),
        cmocka_unit_test(init_failure_passes_its_rc),
        cmocka_unit_test(init_error_is_the_modules_own_line_said_once),
        cmocka_unit_test(init_error_has_the_modules_line_without_a_host_log),
        cmocka_unit_test(init_rc_beyond_known_is_internal),
        cmocka_unit_test(open_send_close_by_name),
        cmocka_unit_test(foreach_visits_in_order_and_shadows),
        cmocka_unit_test(foreach_stops_when_asked),
        cmocka_unit_test(calls_on_no_handle_are_einval_with_a_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
