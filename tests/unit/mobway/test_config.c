/*
 * test_config.c - mobway.conf: a good file loads with its defaults; every
 * kind of mistake is ECONFIG with a log line naming the file and the line.
 * The files it trusts (the config, each *_file, ca_file) must be regular
 * files only their owner (this user or root) can write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char dir[64];
static char conf[128];
static char logbuf[8192];

static void capture(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    strncat(logbuf, msg, sizeof logbuf - strlen(logbuf) - 2);
    strcat(logbuf, "\n");
}

static const struct mw_log log_sink = {capture, NULL};

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f;

    unlink(path);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

/* A self-signed CA certificate and its private key, as PEM files. */
static void write_ca(const char *cert_path, const char *key_path)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name;
    FILE *f;

    assert_non_null(key);
    assert_non_null(x);
    name = X509_get_subject_name(x);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)"test CA", -1, -1, 0);
    X509_set_issuer_name(x, name);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    assert_non_null(f = fopen(cert_path, "w"));
    assert_int_equal(PEM_write_X509(f, x), 1);
    fclose(f);
    assert_non_null(f = fopen(key_path, "w"));
    assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL),
                     1);
    fclose(f);
    chmod(key_path, 0600);
    X509_free(x);
    EVP_PKEY_free(key);
}

static int setup(void **state)
{
    char path[128], key[128];

    (void)state;
    strcpy(dir, "/tmp/mw-config-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(conf, sizeof conf, "%s/mobway.conf", dir);
    snprintf(path, sizeof path, "%s/client_secret", dir);
    write_file(path, "demo-secret\n", 0600);
    snprintf(path, sizeof path, "%s/sign_secret", dir);
    write_file(path, "  demo-sign-secret \n", 0600);
    snprintf(path, sizeof path, "%s/loose", dir);
    write_file(path, "s3cret\n", 0644);
    snprintf(path, sizeof path, "%s/empty", dir);
    write_file(path, " \n", 0600);
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    snprintf(key, sizeof key, "%s/ca.key", dir);
    write_ca(path, key);
    return 0;
}

/* The modes and owners setup gave, whatever a failed test left behind. */
static int fresh_files(void **state)
{
    static const char *const names[] = {"client_secret", "sign_secret",
                                        "ca.pem"};
    static const mode_t modes[] = {0600, 0600, 0644};
    char path[128];

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (chmod(path, modes[i]) != 0 ||
            (geteuid() == 0 && chown(path, 0, 0) != 0))
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* A good config of mode mode plus extra lines from line 6 on. */
static fleetmod_rc load_mode(struct mw_config *cfg, const char *extra,
                             mode_t mode)
{
    char text[4096];

    snprintf(text, sizeof text,
             "[mobway]\n"
             "base_url = https://api.mobway.cloud/\n"
             "client_id = demo-client\n"
             "client_secret_file = %s/client_secret\n"
             "sign_secret_file = %s/sign_secret\n"
             "%s",
             dir, dir, extra);
    write_file(conf, text, mode);
    logbuf[0] = '\0';
    return mw_config_load(cfg, conf, &log_sink);
}

/* A good config (mode 0644: it holds no inline secret) plus extra lines
 * from line 6 on. */
static fleetmod_rc load(struct mw_config *cfg, const char *extra)
{
    return load_mode(cfg, extra, 0644);
}

/* extra (which starts on line 6) fails on line `line`. */
static void refused_at(const char *extra, int line, const char *words)
{
    struct mw_config cfg;
    char where[160];

    assert_int_equal(load(&cfg, extra), FLEETMOD_ECONFIG);
    snprintf(where, sizeof where, "%s:%d: ", conf, line);
    if (!strstr(logbuf, where) || !strstr(logbuf, words))
        fail_msg("expected '%s' and '%s' in log:\n%s", where, words, logbuf);
    assert_null(cfg.base_url);
}

static void good_file_loads_with_defaults(void **state)
{
    struct mw_config cfg;

    (void)state;
    assert_int_equal(load(&cfg, ""), FLEETMOD_OK);
    assert_string_equal(cfg.base_url, "https://api.mobway.cloud");
    assert_string_equal(cfg.client_id.data, "demo-client");
    assert_string_equal(cfg.client_secret.data, "demo-secret");
    assert_string_equal(cfg.sign_secret.data, "demo-sign-secret");
    assert_null(cfg.token.data);
    assert_null(cfg.ca_file);
    assert_int_equal(cfg.connect_timeout_ms, 3000);
    assert_int_equal(cfg.timeout_ms, 10000);
    assert_int_equal(cfg.max_connections, 8);
    assert_int_equal(cfg.poll_initial_ms, 500);
    assert_int_equal(cfg.poll_max_ms, 5000);
    assert_int_equal(cfg.retry_unreachable, 1);
    assert_int_equal(cfg.vin_check, MW_VIN_ISO3779);
    assert_false(cfg.allow_http);
    assert_true(mw_config_confirms(&cfg, "enable_ignition"));
    assert_true(mw_config_confirms(&cfg, "disable_ignition"));
    assert_false(mw_config_confirms(&cfg, "lock_door"));
    mw_config_free(&cfg);
}

static void every_key_is_read(void **state)
{
    struct mw_config cfg;
    char extra[512];

    (void)state;
    snprintf(extra, sizeof extra,
             "ca_file = %s/ca.pem\n"
             "connect_timeout_ms = 100 ; comment\n"
             "timeout_ms = 2000\nmax_connections = 3\npoll_initial_ms = 10\n"
             "poll_max_ms = 20\nretry_unreachable = 0\n"
             "confirm_commands = lock_door,unlock_door\n"
             "vin_check = loose\nallow_http = true\n",
             dir);
    assert_int_equal(load(&cfg, extra), FLEETMOD_OK);
    assert_non_null(strstr(cfg.ca_file, "/ca.pem"));
    assert_int_equal(cfg.connect_timeout_ms, 100);
    assert_int_equal(cfg.timeout_ms, 2000);
    assert_int_equal(cfg.max_connections, 3);
    assert_int_equal(cfg.poll_initial_ms, 10);
    assert_int_equal(cfg.poll_max_ms, 20);
    assert_int_equal(cfg.retry_unreachable, 0);
    assert_int_equal(cfg.vin_check, MW_VIN_LOOSE);
    assert_true(cfg.allow_http);
    assert_true(mw_config_confirms(&cfg, "unlock_door"));
    assert_false(mw_config_confirms(&cfg, "enable_ignition"));
    mw_config_free(&cfg);
}

static void http_with_allow_http_loads(void **state)
{
    struct mw_config cfg;

    (void)state;
    write_file(conf,
               "[mobway]\nbase_url = http://127.0.0.1:8080\n"
               "allow_http = true\ntoken = t\nsign_secret = s\n",
               0600);
    assert_int_equal(mw_config_load(&cfg, conf, &log_sink), FLEETMOD_OK);
    assert_string_equal(cfg.base_url, "http://127.0.0.1:8080");
    mw_config_free(&cfg);
}

static void unknown_key_is_refused(void **state)
{
    (void)state;
    refused_at("timeout_ms = 5\ntimout_ms = 5\n", 7, "unknown key 'timout_ms'");
}

static void unknown_key_suggests_the_closest(void **state)
{
    (void)state;
    refused_at("timeout = 5\n", 6,
               "unknown key 'timeout' (did you mean 'timeout_ms'?)");
    refused_at("clientsecret_file = x\n", 6,
               "(did you mean 'client_secret_file'?)");
    refused_at("colour = blue\n", 6, "unknown key 'colour'\n");
}

static void unknown_section_is_refused(void **state)
{
    (void)state;
    refused_at("[extra]\n", 6, "unknown section [extra]");
}

static void key_outside_section_is_refused(void **state)
{
    struct mw_config cfg;

    (void)state;
    write_file(conf, "base_url = https://x\n[mobway]\n", 0600);
    assert_int_equal(mw_config_load(&cfg, conf, &log_sink), FLEETMOD_ECONFIG);
    assert_non_null(strstr(logbuf, ":1: key 'base_url' outside"));
}

static void bad_url_values(void **state)
{
    static const char *bad[] = {
        "ftp://api.mobway.cloud",
        "api.mobway.cloud",
        "https://",
        "https://u:p@api.mobway.cloud",
        "https://api.mobway.cloud/?a=b",
        "https://api.mobway.cloud/#x",
        "https://exa mple.com",
    };
    struct mw_config cfg;
    char text[512];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "[mobway]\nbase_url = %s\n", bad[i]);
        write_file(conf, text, 0600);
        logbuf[0] = '\0';
        assert_int_equal(mw_config_load(&cfg, conf, &log_sink),
                         FLEETMOD_ECONFIG);
        if (!strstr(logbuf, ":2: base_url"))
            fail_msg("%s not refused at line 2: %s", bad[i], logbuf);
    }
}

static void plain_http_needs_allow_http(void **state)
{
    struct mw_config cfg;
    char text[512];

    (void)state;
    snprintf(text, sizeof text,
             "[mobway]\nclient_id = c\n\nbase_url = http://127.0.0.1:8080\n"
             "client_secret_file = %s/client_secret\n"
             "sign_secret_file = %s/sign_secret\n",
             dir, dir);
    write_file(conf, text, 0600);
    logbuf[0] = '\0';
    assert_int_equal(mw_config_load(&cfg, conf, &log_sink), FLEETMOD_ECONFIG);
    assert_non_null(strstr(logbuf, ":4: plain http base_url needs allow_http"));
}

static void bad_numbers_are_refused(void **state)
{
    (void)state;
    refused_at("timeout_ms = 10s\n", 6, "timeout_ms must be a whole number");
    refused_at("timeout_ms = -1\n", 6, "timeout_ms");
    refused_at("max_connections = 0\n", 6, "max_connections");
    refused_at("max_connections = 100000\n", 6, "max_connections");
    refused_at("connect_timeout_ms = 99999999999\n", 6, "connect_timeout_ms");
    refused_at("retry_unreachable = 1.5\n", 6, "retry_unreachable");
    refused_at("poll_initial_ms = 900\npoll_max_ms = 800\n", 7,
               "poll_max_ms is less than poll_initial_ms");
}

static void bad_words_are_refused(void **state)
{
    (void)state;
    refused_at("allow_http = yes\n", 6, "allow_http must be true or false");
    refused_at("vin_check = strict\n", 6, "vin_check must be iso3779 or loose");
    refused_at("confirm_commands = enable_ignition, Disable\n", 6,
               "'Disable' is not a command name");
    refused_at("timeout_ms =\n", 6, "'timeout_ms' has no value");
    refused_at("just some words\n", 6, "syntax error");
}

static void duplicates_are_refused(void **state)
{
    (void)state;
    refused_at("timeout_ms = 5\ntimeout_ms = 6\n", 7, "given twice");
}

static void loose_secret_file_is_refused(void **state)
{
    char extra[256];

    (void)state;
    write_file(conf, "", 0600);
    snprintf(extra, sizeof extra, "token_file = %s/loose\n", dir);
    refused_at(extra, 6, "readable or writable by group or others");
}

static void missing_or_empty_secret_file_is_refused(void **state)
{
    char extra[256];

    (void)state;
    snprintf(extra, sizeof extra, "token_file = %s/nope\n", dir);
    refused_at(extra, 6, "cannot open");
    snprintf(extra, sizeof extra, "token_file = %s/empty\n", dir);
    refused_at(extra, 6, "empty");
}

static void inline_secret_in_readable_file_is_refused(void **state)
{
    struct mw_config cfg;

    (void)state;
    refused_at("\nclient_secret = abc\n", 7,
               "an inline secret in a file that is readable");
    (void)cfg;
}

static void inline_secret_in_private_file_loads(void **state)
{
    struct mw_config cfg;
    char text[512];

    (void)state;
    snprintf(text, sizeof text,
             "[mobway]\nbase_url = https://a.example\ntoken = fixed-token\n"
             "sign_secret = s\n");
    write_file(conf, text, 0600);
    assert_int_equal(mw_config_load(&cfg, conf, &log_sink), FLEETMOD_OK);
    assert_string_equal(cfg.token.data, "fixed-token");
    mw_config_free(&cfg);
}

static void whole_file_rules(void **state)
{
    struct mw_config cfg;

    (void)state;
    write_file(conf, "[mobway]\n", 0600);
    logbuf[0] = '\0';
    assert_int_equal(mw_config_load(&cfg, conf, &log_sink), FLEETMOD_ECONFIG);
    assert_non_null(strstr(logbuf, "base_url is required"));
    assert_non_null(
        strstr(logbuf, "sign_secret or sign_secret_file is required"));
    assert_non_null(strstr(logbuf, "client_id and client_secret"));
    refused_at("ca_file = /nonexistent/ca.pem\n", 6, "ca_file");
}

static void token_excludes_client_credentials(void **state)
{
    char extra[256];
    char path[128];

    (void)state;
    snprintf(path, sizeof path, "%s/token", dir);
    write_file(path, "tok\n", 0600);
    snprintf(extra, sizeof extra, "token_file = %s\n", path);
    refused_at(extra, 6, "a fixed token excludes client_id");
}

static void long_line_is_refused(void **state)
{
    char extra[512];

    (void)state;
    memset(extra, 'a', 300);
    memcpy(extra, "client_id_file = /", 18);
    strcpy(extra + 300, "\n");
    refused_at(extra, 6, "line longer than");
}

static void missing_file_is_refused(void **state)
{
    struct mw_config cfg;

    (void)state;
    logbuf[0] = '\0';
    assert_int_equal(
        mw_config_load(&cfg, "/nonexistent/mobway.conf", &log_sink),
        FLEETMOD_ECONFIG);
    assert_non_null(strstr(logbuf, "/nonexistent/mobway.conf: cannot open"));
}

static void base_url_ports_and_hosts(void **state)
{
    static const char *bad[] = {
        "http://127.0.0.1:",
        "http://127.0.0.1:0",
        "http://127.0.0.1:65536",
        "http://127.0.0.1:8o80",
        "http://:8080",
        "https://[::1]:",
        "https://user@api.mobway.cloud",
    };
    static const char *good[] = {
        "http://127.0.0.1:65535",
        "http://127.0.0.1:1/base",
        "https://[::1]:8443",
        "https://api.mobway.cloud",
    };
    struct mw_config cfg;
    char text[512];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text,
                 "[mobway]\nbase_url = %s\nallow_http = true\ntoken = t\n"
                 "sign_secret = s\n",
                 bad[i]);
        write_file(conf, text, 0600);
        logbuf[0] = '\0';
        assert_int_equal(mw_config_load(&cfg, conf, &log_sink),
                         FLEETMOD_ECONFIG);
        if (!strstr(logbuf, ":2: base_url"))
            fail_msg("%s not refused at line 2: %s", bad[i], logbuf);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(text, sizeof text,
                 "[mobway]\nbase_url = %s\nallow_http = true\ntoken = t\n"
                 "sign_secret = s\n",
                 good[i]);
        write_file(conf, text, 0600);
        logbuf[0] = '\0';
        if (mw_config_load(&cfg, conf, &log_sink) != FLEETMOD_OK)
            fail_msg("%s refused: %s", good[i], logbuf);
        mw_config_free(&cfg);
    }
}

static void upper_case_http_needs_allow_http(void **state)
{
    struct mw_config cfg;

    (void)state;
    write_file(conf,
               "[mobway]\nbase_url = HTTP://127.0.0.1:8080\ntoken = t\n"
               "sign_secret = s\n",
               0600);
    logbuf[0] = '\0';
    assert_int_equal(mw_config_load(&cfg, conf, &log_sink), FLEETMOD_ECONFIG);
    assert_non_null(strstr(logbuf, ":2: plain http base_url needs allow_http"));
}

static void config_others_can_write_is_refused(void **state)
{
    static const mode_t modes[] = {0664, 0646, 0666, 0620};
    struct mw_config cfg;
    char chmod_hint[200];

    (void)state;
    snprintf(chmod_hint, sizeof chmod_hint, "chmod go-w %s", conf);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        assert_int_equal(load_mode(&cfg, "", modes[i]), FLEETMOD_ECONFIG);
        if (!strstr(logbuf, "writable by group or others") ||
            !strstr(logbuf, chmod_hint))
            fail_msg("mode %04o: %s", (unsigned)modes[i], logbuf);
        assert_null(cfg.base_url);
    }
    assert_int_equal(load_mode(&cfg, "", 0640), FLEETMOD_OK);
    mw_config_free(&cfg);
}

static void ca_file_others_can_write_is_refused(void **state)
{
    char extra[256], path[128];

    (void)state;
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    snprintf(extra, sizeof extra, "ca_file = %s\n", path);
    assert_int_equal(chmod(path, 0664), 0);
    refused_at(extra, 6, "writable by group or others");
    assert_int_equal(chmod(path, 0644), 0);
}

static void secret_file_others_can_write_is_refused(void **state)
{
    char extra[256], path[128];

    (void)state;
    snprintf(path, sizeof path, "%s/client_secret", dir);
    assert_int_equal(chmod(path, 0620), 0);
    snprintf(extra, sizeof extra, "chmod 600 %s", path);
    refused_at("", 4, extra);
    assert_int_equal(chmod(path, 0600), 0);
}

/* Running as root is the case that matters (root trusts only its own
 * files); other users cannot give a file away. */
static void files_of_another_user_are_refused(void **state)
{
    char extra[256], path[128];
    struct mw_config cfg;

    (void)state;
    if (geteuid() != 0)
        skip();
    assert_int_equal(load(&cfg, ""), FLEETMOD_OK);
    mw_config_free(&cfg);
    assert_int_equal(chown(conf, 65534, 65534), 0);
    assert_int_equal(mw_config_load(&cfg, conf, &log_sink), FLEETMOD_ECONFIG);
    assert_non_null(strstr(logbuf, "owned by uid 65534"));
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    snprintf(extra, sizeof extra, "ca_file = %s\n", path);
    assert_int_equal(chown(path, 65534, 65534), 0);
    refused_at(extra, 6, "owned by uid 65534");
    assert_int_equal(chown(path, 0, 0), 0);
    snprintf(path, sizeof path, "%s/client_secret", dir);
    assert_int_equal(chown(path, 65534, 65534), 0);
    refused_at("", 4, "owned by uid 65534");
    assert_int_equal(chown(path, 0, 0), 0);
}

/* A FIFO would block open and read for ever: every file is refused
 * unless it is a regular file, without waiting for a writer. */
static void fifos_and_devices_are_refused(void **state)
{
    char extra[256], path[128];
    struct mw_config cfg;

    (void)state;
    snprintf(path, sizeof path, "%s/fifo", dir);
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    snprintf(extra, sizeof extra, "token_file = %s\n", path);
    refused_at(extra, 6, "a FIFO, not a regular file");
    snprintf(extra, sizeof extra, "ca_file = %s\n", path);
    refused_at(extra, 6, "a FIFO, not a regular file");
    logbuf[0] = '\0';
    assert_int_equal(mw_config_load(&cfg, path, &log_sink), FLEETMOD_ECONFIG);
    assert_non_null(strstr(logbuf, "a FIFO, not a regular file"));
    refused_at("token_file = /dev/null\n", 6, "a device, not a regular file");
    refused_at("ca_file = /dev/null\n", 6, "a device, not a regular file");
    snprintf(extra, sizeof extra, "ca_file = %s\n", dir);
    refused_at(extra, 6, "a directory, not a regular file");
    unlink(path);
}

static void unusable_ca_file_is_refused_at_init(void **state)
{
    char extra[256], path[128];

    (void)state;
    snprintf(path, sizeof path, "%s/garbage.pem", dir);
    write_file(path, "not a certificate\n", 0644);
    snprintf(extra, sizeof extra, "ca_file = %s\n", path);
    refused_at(extra, 6, "holds no PEM certificate");
    write_file(path,
               "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
               "-----END CERTIFICATE-----\n",
               0644);
    refused_at(extra, 6, "not PEM certificates OpenSSL can read");
    snprintf(extra, sizeof extra, "ca_file = %s/ca.key\n", dir);
    refused_at(extra, 6, "holds no PEM certificate");
    snprintf(extra, sizeof extra, "ca_file = %s/empty\n", dir);
    refused_at(extra, 6, "holds no PEM certificate");
}

/* A daemon started in / must find the same files as a test started in
 * the config's directory. */
static void relative_files_are_relative_to_the_config(void **state)
{
    struct mw_config cfg;
    char text[512], cwd[512], ca[600], *real;

    (void)state;
    snprintf(text, sizeof text,
             "[mobway]\nbase_url = https://a.example\nclient_id = c\n"
             "client_secret_file = client_secret\n"
             "sign_secret_file = ./sign_secret\nca_file = ca.pem\n");
    write_file(conf, text, 0644);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir("/"), 0);
    logbuf[0] = '\0';
    if (mw_config_load(&cfg, conf, &log_sink) != FLEETMOD_OK)
        fail_msg("refused from /: %s", logbuf);
    assert_int_equal(chdir(cwd), 0);
    assert_string_equal(cfg.client_secret.data, "demo-secret");
    assert_string_equal(cfg.sign_secret.data, "demo-sign-secret");
    /* libcurl reads ca_file again after any chdir: it is kept absolute */
    assert_non_null(real = realpath(dir, NULL));
    snprintf(ca, sizeof ca, "%s/ca.pem", real);
    assert_string_equal(cfg.ca_file, ca);
    free(real);
    mw_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_file_loads_with_defaults),
        cmocka_unit_test(every_key_is_read),
        cmocka_unit_test(http_with_allow_http_loads),
        cmocka_unit_test(unknown_key_is_refused),
        cmocka_unit_test(unknown_key_suggests_the_closest),
        cmocka_unit_test(base_url_ports_and_hosts),
        cmocka_unit_test(upper_case_http_needs_allow_http),
        cmocka_unit_test_setup(config_others_can_write_is_refused, fresh_files),
        cmocka_unit_test_setup(ca_file_others_can_write_is_refused,
                               fresh_files),
        cmocka_unit_test_setup(secret_file_others_can_write_is_refused,
                               fresh_files),
        cmocka_unit_test_setup(files_of_another_user_are_refused, fresh_files),
        cmocka_unit_test_setup(fifos_and_devices_are_refused, fresh_files),
        cmocka_unit_test_setup(unusable_ca_file_is_refused_at_init,
                               fresh_files),
        cmocka_unit_test_setup(relative_files_are_relative_to_the_config,
                               fresh_files),
        cmocka_unit_test(unknown_section_is_refused),
        cmocka_unit_test(key_outside_section_is_refused),
        cmocka_unit_test(bad_url_values),
        cmocka_unit_test(plain_http_needs_allow_http),
        cmocka_unit_test(bad_numbers_are_refused),
        cmocka_unit_test(bad_words_are_refused),
        cmocka_unit_test(duplicates_are_refused),
        cmocka_unit_test(loose_secret_file_is_refused),
        cmocka_unit_test(missing_or_empty_secret_file_is_refused),
        cmocka_unit_test(inline_secret_in_readable_file_is_refused),
        cmocka_unit_test(inline_secret_in_private_file_loads),
        cmocka_unit_test(whole_file_rules),
        cmocka_unit_test(token_excludes_client_credentials),
        cmocka_unit_test(long_line_is_refused),
        cmocka_unit_test(missing_file_is_refused),
    };
    return cmocka_run_group_tests_name("mobway config", tests, setup, teardown);
}
