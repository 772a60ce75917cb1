/**
 * Sealing secrets the app must use again but never show again (webhook signing secrets, tracking tokens): AES-256-GCM
 * under a key kept apart from the database — `DATA_DIR/secret-key` (mode 0600, made on first use by whichever process
 * needs it first) or SECRETS_KEY. A copy of app.db alone reveals none of them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** The 32-byte key: from `keyBase64` (SECRETS_KEY) if given, else the key file in `dataDir`, created if missing. */
export function loadSecretKey(dataDir: string, keyBase64?: string): Buffer {
  if (keyBase64) {
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes, base64-encoded');
    return key;
  }
  const file = path.join(dataDir, 'secret-key');
  try {
    // 'wx': exactly one process creates it; the others (an API and a worker starting together) read what it wrote.
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte key; move it away to make a new one (sealed secrets are then lost)`);
  return key;
}

export function createSecretBox(key: Buffer): SecretBox {
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
    },
    open(sealed) {
      const [version, iv, tag, data] = sealed.split(':');
      if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
