/**
 * libsodium's sealed box (crypto_box_seal), as GitHub requires for Actions secrets: an
 * ephemeral X25519 key pair, nonce = BLAKE2b-192(ephemeral public key || recipient key), and
 * crypto_box (X25519, XSalsa20-Poly1305) of the message; the result is the ephemeral public key
 * followed by the box. tweetnacl gives crypto_box, @noble/hashes BLAKE2b; both are audited.
 */
import { randomBytes } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import nacl from 'tweetnacl';

// Node's CSPRNG, explicitly: tweetnacl's own detection of it depends on how it was bundled.
nacl.setPRNG((target, length) => {
  const bytes = randomBytes(length);
  target.set(bytes);
  bytes.fill(0);
});

/** The base64 sealed box of `message` for the base64 X25519 public key `recipientKey`. */
export function sealedBox(message: string, recipientKey: string): string {
  const recipient = Buffer.from(recipientKey, 'base64');
  if (recipient.length !== nacl.box.publicKeyLength) {
    throw new Error(
      `the public key is ${recipient.length} bytes, not the ${nacl.box.publicKeyLength} of an X25519 key`,
    );
  }
  const ephemeral = nacl.box.keyPair();
  try {
    const nonce = blake2b(Buffer.concat([ephemeral.publicKey, recipient]), {
      dkLen: nacl.box.nonceLength,
    });
    const plain = Buffer.from(message, 'utf8');
    const box = nacl.box(plain, nonce, recipient, ephemeral.secretKey);
    plain.fill(0);
    return Buffer.concat([ephemeral.publicKey, box]).toString('base64');
  } finally {
    ephemeral.secretKey.fill(0);
  }
}
