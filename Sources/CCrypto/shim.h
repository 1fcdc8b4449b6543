#pragma once
// CCrypto: OpenSSL's libcrypto (digests, HMAC, CSPRNG, constant-time compare) and libxcrypt (yescrypt).
// Imported only by SweepCrypto. Every function used is non-variadic; the AEAD helpers below keep the EVP call
// sequence (init, update, final, tag ctrl) in one place instead of a dozen Swift calls per operation.
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <crypt.h>

/// AES-256-GCM seal: key 32 bytes, iv 12, tag 16 out; ciphertext has the plaintext's length. Returns 1 on success.
static inline int ccrypto_aes256gcm_seal(const unsigned char *key, const unsigned char *iv,
                                         const unsigned char *aad, int aad_len,
                                         const unsigned char *plaintext, int len,
                                         unsigned char *ciphertext, unsigned char *tag) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int out = 0, final = 0, ok = ctx != NULL
        && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1
        && EVP_EncryptInit_ex(ctx, NULL, NULL, key, iv) == 1
        && (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &out, aad, aad_len) == 1)
        && (len == 0 || EVP_EncryptUpdate(ctx, ciphertext, &out, plaintext, len) == 1)
        && EVP_EncryptFinal_ex(ctx, ciphertext + (len == 0 ? 0 : out), &final) == 1
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/// AES-256-GCM open: returns 1 only when the tag verifies (the plaintext is then valid), 0 otherwise.
static inline int ccrypto_aes256gcm_open(const unsigned char *key, const unsigned char *iv,
                                         const unsigned char *aad, int aad_len,
                                         const unsigned char *ciphertext, int len,
                                         const unsigned char *tag, unsigned char *plaintext) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int out = 0, final = 0, ok = ctx != NULL
        && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1
        && EVP_DecryptInit_ex(ctx, NULL, NULL, key, iv) == 1
        && (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &out, aad, aad_len) == 1)
        && (len == 0 || EVP_DecryptUpdate(ctx, plaintext, &out, ciphertext, len) == 1)
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1
        && EVP_DecryptFinal_ex(ctx, plaintext + (len == 0 ? 0 : out), &final) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}
