package org.veil.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.postgresql.ssl.PGjdbcHostnameVerifier;

/**
 * The socket {@link Tls13SocketFactory} hands to pgjdbc: a JSSE socket whose streams exist only
 * once its handshake has negotiated TLS 1.3 with a server whose certificate names the host
 * pgjdbc asked for.
 *
 * <p>Security guarantees: no byte can be written or read through this socket before the check
 * has passed, whoever drives it (pgjdbc calls {@link #startHandshake()}; a caller that goes
 * straight to a stream triggers the same handshake and check). When the check fails the socket
 * is closed and a {@link TlsRefusedException} says why.
 *
 * <p>The handshake runs once: pgjdbc's second {@code setUseClientMode}/{@code startHandshake}
 * calls after it are harmless here (no renegotiation, no key update). Thread-safe.
 */
final class VerifiedTlsSocket extends ForwardingSslSocket {

  private final String host;
  private final String endpoint;
  private final String trustedCas;
  private final Object handshakeLock = new Object();
  private volatile boolean verified;
  private volatile TlsReceipt receipt;

  /**
   * @param delegate a client-mode JSSE socket, not yet handshaken, offering TLS 1.3
   * @param host the host name pgjdbc connects to, which the certificate must name
   * @param port the server's port, for messages
   * @param trustedCas the CA file in use, as a message names it ({@code sslrootcert=…})
   * @param receipt the connect to report to, or null
   */
  VerifiedTlsSocket(SSLSocket delegate, String host, int port, String trustedCas,
      TlsReceipt receipt) {
    super(delegate);
    this.host = host;
    this.endpoint = host + ":" + port;
    this.trustedCas = trustedCas;
    this.receipt = receipt;
  }

  // Overridden javax.net.ssl.SSLSocket and java.net.Socket methods

  /** Handshakes and checks the result, once; later calls return at once. */
  @Override
  public void startHandshake() throws IOException {
    verify();
  }

  /** Client mode is the only mode; once handshaken it cannot change (JSSE would throw). */
  @Override
  public void setUseClientMode(boolean mode) {
    if (!mode) {
      throw new IllegalArgumentException("Veil's TLS sockets are client sockets");
    }
    if (!verified) {
      delegate.setUseClientMode(true);
    }
  }

  @Override
  public InputStream getInputStream() throws IOException {
    verify();
    return delegate.getInputStream();
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    verify();
    return delegate.getOutputStream();
  }

  /** pgjdbc reads this for {@code Connection.getNetworkTimeout()}; see {@link TlsReceipt}. */
  @Override
  public int getSoTimeout() throws SocketException {
    TlsReceipt r = receipt;
    if (r != null) {
      r.heardFrom(this);
    }
    return delegate.getSoTimeout();
  }

  @Override
  public String toString() {
    return "VerifiedTlsSocket[" + endpoint + (verified ? ", TLS 1.3 verified]" : "]");
  }

  // Veil's check

  boolean isVerified() {
    return verified;
  }

  void receiptClosed() {
    receipt = null;
  }

  private void verify() throws IOException {
    if (verified) {
      return;
    }
    synchronized (handshakeLock) {
      if (verified) {
        return;
      }
      try {
        delegate.startHandshake();
      } catch (SSLException e) {
        TlsRefusedException refusal = handshakeRefusal(e);
        if (refusal == null) {
          throw e;
        }
        throw refuse(refusal);
      }
      SSLSession session = delegate.getSession();
      String protocol = session.getProtocol();
      if (!Tls13SocketFactory.PROTOCOL.equals(protocol)) {
        throw refuse(new TlsRefusedException(endpoint, "the server offered " + protocol
            + "; Veil requires TLS 1.3", "enable TLS 1.3 on the server (PostgreSQL 12 or later"
            + " built with OpenSSL 1.1.1 or later; ssl_max_protocol_version unset or 'TLSv1.3')",
            null));
      }
      if (!PGjdbcHostnameVerifier.INSTANCE.verify(host, session)) {
        throw refuse(new TlsRefusedException(endpoint, "the server's certificate does not name "
            + host + " (sslmode=verify-full)", "connect by a host name or address that the"
            + " server's certificate lists, or have the certificate reissued for " + host, null));
      }
      verified = true;
      TlsReceipt r = receipt;
      if (r != null) {
        r.verified(this);
      }
    }
  }

  /**
   * The refusal a failed handshake amounts to when it is about what Veil requires (a server
   * certificate that verifies); null for other failures (a server that speaks neither TLS 1.3
   * nor 1.2 and sends a protocol_version alert, one that refuses the client certificate, a
   * broken connection), which pgjdbc reports as they are.
   */
  private TlsRefusedException handshakeRefusal(SSLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateException) {
        return new TlsRefusedException(endpoint, "the server's certificate failed verification"
            + " against " + trustedCas + " (" + e.getMessage() + ")", "set sslrootcert to the"
            + " file holding the CA certificate that signed the server's certificate, and check"
            + " that the certificate is in its validity period", e);
      }
    }
    return null;
  }

  /** Closes the socket and reports the refusal; returns it for the caller to throw. */
  private TlsRefusedException refuse(TlsRefusedException refusal) {
    try {
      delegate.close();
    } catch (IOException closing) {
      refusal.addSuppressed(closing);
    }
    TlsReceipt r = receipt;
    if (r != null) {
      r.refused(refusal);
    }
    return refusal;
  }
}
