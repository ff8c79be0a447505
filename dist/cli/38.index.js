export const id = 38;
export const ids = [38];
export const modules = {

/***/ 38:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   sealedBox: () => (/* binding */ sealedBox)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _noble_hashes_blake2_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(248);
/* harmony import */ var tweetnacl__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(156);
/* harmony import */ var tweetnacl__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(tweetnacl__WEBPACK_IMPORTED_MODULE_1__);
/**
 * libsodium's sealed box (crypto_box_seal), as GitHub requires for Actions secrets: an
 * ephemeral X25519 key pair, nonce = BLAKE2b-192(ephemeral public key || recipient key), and
 * crypto_box (X25519, XSalsa20-Poly1305) of the message; the result is the ephemeral public key
 * followed by the box. tweetnacl gives crypto_box, @noble/hashes BLAKE2b; both are audited.
 * Loaded only by a step that stores a secret in GitHub, so other steps never pay for it.
 */



// Node's CSPRNG, explicitly: tweetnacl's own detection of it depends on how it was bundled.
tweetnacl__WEBPACK_IMPORTED_MODULE_1___default().setPRNG((target, length) => {
    const bytes = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(length);
    target.set(bytes);
    bytes.fill(0);
});
/** The base64 sealed box of `message` for the base64 X25519 public key `recipientKey`. */
function sealedBox(message, recipientKey) {
    const recipient = Buffer.from(recipientKey, 'base64');
    if (recipient.length !== (tweetnacl__WEBPACK_IMPORTED_MODULE_1___default().box).publicKeyLength) {
        throw new Error(`the public key is ${recipient.length} bytes, not the ${(tweetnacl__WEBPACK_IMPORTED_MODULE_1___default().box).publicKeyLength} of an X25519 key`);
    }
    const ephemeral = tweetnacl__WEBPACK_IMPORTED_MODULE_1___default().box.keyPair();
    try {
        const nonce = (0,_noble_hashes_blake2_js__WEBPACK_IMPORTED_MODULE_2__/* .blake2b */ .Sx)(Buffer.concat([ephemeral.publicKey, recipient]), {
            dkLen: (tweetnacl__WEBPACK_IMPORTED_MODULE_1___default().box).nonceLength,
        });
        const plain = Buffer.from(message, 'utf8');
        const box = tweetnacl__WEBPACK_IMPORTED_MODULE_1___default().box(plain, nonce, recipient, ephemeral.secretKey);
        plain.fill(0);
        return Buffer.concat([ephemeral.publicKey, box]).toString('base64');
    }
    finally {
        ephemeral.secretKey.fill(0);
    }
}


/***/ })

};
