#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>


/* Swift cannot import function-like or compound macros; these wrappers give them a name. */

/** EVP_PKEY_KEYPAIR: the selection for EVP_PKEY_fromdata of a private key with its public half. */
static inline int copenssl_selection_keypair(void) { return EVP_PKEY_KEYPAIR; }

/** EVP_PKEY_PUBLIC_KEY: the selection for EVP_PKEY_fromdata of a public key alone. */
static inline int copenssl_selection_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }

/*
 * OSSL_PARAM_BLD and the OSSL_PARAM arrays it builds keep the *pointer* to each key name, so the
 * names must have static storage; Swift bridges the imported string macros to temporary copies.
 */
static inline const char *copenssl_param_group_name(void) { return OSSL_PKEY_PARAM_GROUP_NAME; }
static inline const char *copenssl_param_pub_key(void) { return OSSL_PKEY_PARAM_PUB_KEY; }
static inline const char *copenssl_param_priv_key(void) { return OSSL_PKEY_PARAM_PRIV_KEY; }

/** OPENSSL_free is a macro carrying the source location; this frees memory OpenSSL allocated. */
static inline void copenssl_free(void *pointer) { OPENSSL_free(pointer); }

#endif
