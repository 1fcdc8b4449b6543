#pragma once
// CCrypto: OpenSSL's libcrypto (digests, HMAC, CSPRNG, constant-time compare) and libxcrypt (yescrypt).
// Imported only by SweepCrypto. Every function used is non-variadic, so no shims are needed yet.
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <crypt.h>
