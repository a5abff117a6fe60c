// A certificates directory as `concord certs` keeps it: ca.crt and ca.key, then NAME.crt and
// NAME.key per member or client. Keys are written 0600, nothing is ever overwritten, and a
// failure says what to do.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CertificateUsage, createAuthority, issueCertificate, type PemPair } from './issue.ts';

/** A refusal that `concord certs` prints as one line. */
export class CertificatesError extends Error {
  override readonly name = 'CertificatesError';
}

export interface WrittenFiles {
  readonly certificateFile: string;
  readonly keyFile: string;
}

export function authorityFiles(directory: string): WrittenFiles {
  return { certificateFile: join(directory, 'ca.crt'), keyFile: join(directory, 'ca.key') };
}

export function namedFiles(directory: string, name: string): WrittenFiles {
  return { certificateFile: join(directory, `${name}.crt`), keyFile: join(directory, `${name}.key`) };
}

export async function initAuthority(directory: string, days?: number): Promise<WrittenFiles> {
  const files = authorityFiles(directory);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await refuseExisting(
    files,
    `there is a CA in ${directory} already; keep using it, or delete ${files.certificateFile} and ${files.keyFile} to start over (then issue every certificate again)`,
  );
  // A name of its own, so that a message about a certificate from another CA says which.
  const name = `Concord CA ${randomBytes(4).toString('hex')}`;
  await writePair(files, await createAuthority(name, days === undefined ? {} : { days }));
  return files;
}

export async function issueToDirectory(
  directory: string,
  name: string,
  usage: CertificateUsage,
  hosts: readonly string[],
  days?: number,
): Promise<WrittenFiles> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name === 'ca') {
    throw new CertificatesError(
      `"${name}" cannot name a certificate: use letters, digits, dot, dash and underscore (and not "ca")`,
    );
  }
  const authority = await readAuthority(directory);
  const files = namedFiles(directory, name);
  await refuseExisting(
    files,
    `${files.certificateFile} exists already; choose another name, or delete ${files.certificateFile} and ${files.keyFile} to issue it again`,
  );
  const request = { commonName: name, hosts, usage, ...(days === undefined ? {} : { days }) };
  await writePair(files, await issueCertificate(authority, request));
  return files;
}

async function readAuthority(directory: string): Promise<PemPair> {
  const files = authorityFiles(directory);
  try {
    return {
      certificate: await readFile(files.certificateFile, 'utf8'),
      privateKey: await readFile(files.keyFile, 'utf8'),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CertificatesError(
        `no CA in ${directory} (${files.certificateFile} and ${files.keyFile}); create one with "concord certs init --dir ${directory}"`,
      );
    }
    throw error;
  }
}

async function refuseExisting(files: WrittenFiles, message: string): Promise<void> {
  for (const file of [files.certificateFile, files.keyFile]) {
    const exists = await readFile(file).then(
      () => true,
      () => false,
    );
    if (exists) throw new CertificatesError(message);
  }
}

/** The key first and exclusively (`wx`): a concurrent run cannot leave a key readable by others. */
async function writePair(files: WrittenFiles, pair: PemPair): Promise<void> {
  const exclusive = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY;
  await writeFile(files.keyFile, pair.privateKey, { mode: 0o600, flag: exclusive });
  await writeFile(files.certificateFile, pair.certificate, { mode: 0o644, flag: exclusive });
}
