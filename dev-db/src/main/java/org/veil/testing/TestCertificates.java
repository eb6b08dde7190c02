package org.veil.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A certificate authority made for one test run, and the certificates it signs.
 *
 * <p>Keys are ECDSA P-256 (fast to generate, accepted by OpenSSL and the JDK for TLS 1.3).
 * Nothing here is meant for production; the CA exists so that {@code sslmode=verify-full}
 * is exercised for real against a server whose certificate chain the test controls.
 */
public final class TestCertificates {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String name;
  private final KeyPair keyPair;
  private final X509Certificate certificate;

  private TestCertificates(String name, KeyPair keyPair, X509Certificate certificate) {
    this.name = name;
    this.keyPair = keyPair;
    this.certificate = certificate;
  }

  /** Creates a new self-signed CA named {@code name}. */
  public static TestCertificates newAuthority(String name) {
    try {
      KeyPair caKeys = newKeyPair();
      X500Name subject = new X500Name("CN=" + name);
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          subject, serial(), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(30))), subject, caKeys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      return new TestCertificates(name, caKeys, sign(builder, caKeys));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create test CA " + name, e);
    }
  }

  /**
   * Issues a TLS server certificate for the given DNS names and IP addresses, written with its
   * key into {@code dir} as {@code <fileStem>.crt} and {@code <fileStem>.key} (mode 0600).
   */
  public IssuedCertificate issueServer(Path dir, String fileStem, List<String> dnsNames,
      List<String> ipAddresses) {
    return issue(dir, fileStem, "CN=" + dnsNames.get(0), dnsNames, ipAddresses,
        KeyPurposeId.id_kp_serverAuth);
  }

  /** Issues a TLS client certificate whose CN is the database user name. */
  public IssuedCertificate issueClient(Path dir, String fileStem, String userName) {
    return issue(dir, fileStem, "CN=" + userName, List.of(), List.of(),
        KeyPurposeId.id_kp_clientAuth);
  }

  private IssuedCertificate issue(Path dir, String fileStem, String subject,
      List<String> dnsNames, List<String> ipAddresses, KeyPurposeId purpose) {
    try {
      KeyPair keys = newKeyPair();
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          certificate, serial(), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(30))), new X500Name(subject), keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          ext.createAuthorityKeyIdentifier(certificate));
      if (!dnsNames.isEmpty() || !ipAddresses.isEmpty()) {
        GeneralName[] names = new GeneralName[dnsNames.size() + ipAddresses.size()];
        int i = 0;
        for (String dns : dnsNames) {
          names[i++] = new GeneralName(GeneralName.dNSName, dns);
        }
        for (String ip : ipAddresses) {
          names[i++] = new GeneralName(GeneralName.iPAddress, ip);
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      X509Certificate issued = sign(builder, keyPair);
      Path certFile = dir.resolve(fileStem + ".crt");
      Path keyFile = dir.resolve(fileStem + ".key");
      writePem(certFile, new PemObject("CERTIFICATE", issued.getEncoded()));
      // PKCS#8 DER, which pgjdbc's LibPQFactory reads as sslkey; PEM PKCS#8 for the server.
      writePem(keyFile, new PemObject("PRIVATE KEY", keys.getPrivate().getEncoded()));
      Path keyDer = dir.resolve(fileStem + ".pk8");
      Files.write(keyDer, keys.getPrivate().getEncoded());
      ownerOnly(keyFile);
      ownerOnly(keyDer);
      return new IssuedCertificate(certFile, keyFile, keyDer);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue certificate " + subject, e);
    }
  }

  /** Writes this CA's certificate as PEM to {@code file} and returns the path. */
  public Path writeCertificate(Path file) {
    try {
      writePem(file, new PemObject("CERTIFICATE", certificate.getEncoded()));
      return file;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot write CA certificate " + name, e);
    }
  }

  /** A certificate and its private key on disk. */
  public record IssuedCertificate(Path certificate, Path pemKey, Path pkcs8DerKey) {}

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner contentSigner =
        new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
  }

  private static void writePem(Path file, PemObject object) throws IOException {
    try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(object);
    }
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: file ACLs already restrict the user's temp directory.
    }
  }
}
