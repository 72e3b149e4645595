/*
 * A PKCS#11 module in front of SoftHSM for the test card (softhsm-card.ts). Every call goes through
 * to SoftHSM (REAL_MODULE), except that C_Decrypt left-pads an RSA cryptogram shorter than the key's
 * modulus with zero bytes. gpg hands gpg-agent the cryptogram as a signed MPI (leading zero bytes
 * dropped, one put back before a set high bit), so for an n-bit key one below 2^(n-9), 1 share in
 * 256 to 512, reaches the card daemon short. GnuPG's scdaemon, which drives real OpenPGP cards, pads
 * it back (app-openpgp.c, do_decipher: up to 16 bytes); gnupg-pkcs11-scd 0.10 passes it on, and
 * SoftHSM refuses it (CKR_ENCRYPTED_DATA_LEN_RANGE, which gpg reports as error 108), for that share
 * every time. Padding here, inside the daemon, covers every way the agent reaches it: its pipe and,
 * when that is busy, its socket.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <p11-kit/pkcs11.h>

#define MAX_FIXUP 16
#define SESSIONS 256

static CK_FUNCTION_LIST real;
static CK_FUNCTION_LIST shim;

/* The modulus length of the key each session's decryption was started with, by session handle. */
static struct {
  CK_SESSION_HANDLE session;
  CK_ULONG modulus;
} decrypting[SESSIONS];

static CK_RV pad_DecryptInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  CK_ATTRIBUTE modulus = {CKA_MODULUS, NULL, 0};
  CK_RV rv = real.C_DecryptInit(session, mechanism, key);
  if (rv == CKR_OK) {
    const CK_ULONG slot = session % SESSIONS;
    decrypting[slot].session = session;
    decrypting[slot].modulus = real.C_GetAttributeValue(session, key, &modulus, 1) == CKR_OK ? modulus.ulValueLen : 0;
  }
  return rv;
}

static CK_RV pad_Decrypt(CK_SESSION_HANDLE session, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                         CK_ULONG_PTR out_len) {
  const CK_ULONG slot = session % SESSIONS;
  const CK_ULONG modulus = decrypting[slot].session == session ? decrypting[slot].modulus : 0;
  if (in_len >= modulus || in_len + MAX_FIXUP < modulus)
    return real.C_Decrypt(session, in, in_len, out, out_len);
  CK_BYTE_PTR padded = calloc(modulus, 1);
  if (padded == NULL) return CKR_HOST_MEMORY;
  memcpy(padded + (modulus - in_len), in, in_len);
  CK_RV rv = real.C_Decrypt(session, padded, modulus, out, out_len);
  free(padded);
  return rv;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (shim.C_GetFunctionList == NULL) {
    void *module = dlopen(REAL_MODULE, RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList get = NULL;
    if (module != NULL) get = (CK_C_GetFunctionList)dlsym(module, "C_GetFunctionList");
    CK_FUNCTION_LIST_PTR functions = NULL;
    if (get == NULL || get(&functions) != CKR_OK) return CKR_GENERAL_ERROR;
    real = *functions;
    shim = *functions;
    shim.C_GetFunctionList = C_GetFunctionList;
    shim.C_DecryptInit = pad_DecryptInit;
    shim.C_Decrypt = pad_Decrypt;
  }
  *list = &shim;
  return CKR_OK;
}
