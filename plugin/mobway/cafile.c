/* cafile.c - ca_file holds PEM certificates OpenSSL can load. */
#include "cafile.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Counts the certificates of PEM text in b. PEM_X509_INFO_read_bio is
 * what X509_load_cert_crl_file (and so CURLOPT_CAINFO) reads with; it
 * skips other blocks, so a private key alone counts none. */
static int count_certs(BIO *b)
{
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL);
    int n = 0;

    if (!infos)
        return -1;
    for (int i = 0; i < sk_X509_INFO_num(infos); i++)
        n += !!sk_X509_INFO_value(infos, i)->x509;
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    return n;
}

int mw_cafile_check(int fd, char *why, size_t whylen)
{
    struct stat st;
    BIO *b;
    int n;

    if (fstat(fd, &st) != 0) {
        snprintf(why, whylen, "cannot stat: %s", strerror(errno));
        return -1;
    }
    if (st.st_size > MW_CAFILE_MAX) {
        snprintf(why, whylen, "larger than %ld bytes", MW_CAFILE_MAX);
        return -1;
    }
    if (!(b = BIO_new_fd(fd, BIO_NOCLOSE))) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    n = count_certs(b);
    BIO_free(b);
    /* this thread's OpenSSL error queue is not the host's to find full */
    ERR_clear_error();
    if (n < 0)
        snprintf(why, whylen, "not PEM certificates OpenSSL can read");
    else if (n == 0)
        snprintf(why, whylen,
                 "holds no PEM certificate (a CA bundle "
                 "starts with -----BEGIN CERTIFICATE-----)");
    return n > 0 ? 0 : -1;
}
