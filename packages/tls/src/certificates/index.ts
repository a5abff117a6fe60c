// Making certificates: a CA, member and client certificates, and the directory layout of
// `concord certs`. Kept apart from the package's main entry so that the TLS explanations do
// not load the X.509 library.
export {
  authorityFiles,
  CertificatesError,
  initAuthority,
  issueToDirectory,
  namedFiles,
  type WrittenFiles,
} from './directory.ts';
export {
  type CertificateUsage,
  createAuthority,
  type IssueRequest,
  issueCertificate,
  type PemPair,
  type Validity,
} from './issue.ts';
