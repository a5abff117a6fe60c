// TLS for Concord: checking certificate files and explaining certificate failures in plain
// words. Making certificates is in `@concord/tls/certificates`.
export {
  type CertificateFacts,
  certificateFacts,
  certificateProblem,
  namesText,
} from './certificate-facts.ts';
export {
  certificateInError,
  type DialContext,
  explainDialFailure,
  explainListenFailure,
  explainRefusedClient,
  type FixNames,
  isTlsFailure,
  type ListenContext,
} from './explain.ts';
export {
  type KeyPair,
  type KeyPairFiles,
  readAuthority,
  readKeyPair,
  TlsConfigurationError,
} from './key-pair.ts';
export { fetchServerCertificate } from './server-certificate.ts';
export {
  admitConnection,
  guardServer,
  reportHandshakeFailures,
  type ServerTlsSettings,
  serverTlsOptions,
} from './server-guard.ts';
