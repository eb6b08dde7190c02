package org.veil.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * A TCP socket that lets nothing pass in clear but what PostgreSQL's protocol sends before TLS:
 * the 8-byte SSLRequest and the server's one-byte answer, or a CancelRequest (which pgjdbc sends
 * on a socket of its own) and the server closing it.
 *
 * <p>Streams taken before TLS starts are the clear streams, and check every byte. When Veil's
 * {@link Tls13SocketFactory} takes the socket over ({@link #beginTls()}) they go dead, and the
 * streams taken from then on (by JSSE, to carry TLS records) are the socket's own, unchecked.
 *
 * <p>Security guarantees: the startup message, with user, database and password, cannot be
 * written to a socket on which Veil's TLS has not started; a server that answers "N" (no TLS)
 * or "E" is refused by name; bytes a server or an attacker sends in clear after agreeing to TLS
 * are never read as if they came through it (the answer is read one byte at a time, and the
 * clear streams refuse to read further). Thread-safe.
 */
final class GuardedTcpSocket extends Socket {

  private static final int SSL_REQUEST_CODE = 80877103;
  private static final int CANCEL_REQUEST_CODE = 80877102;
  private static final int SSL_REQUEST_LENGTH = 8;
  /** Protocol 3.0 cancel keys are 4 bytes; 3.2 allows up to 256. */
  private static final int MIN_CANCEL_LENGTH = 12 + 4;
  private static final int MAX_CANCEL_LENGTH = 12 + 256;

  private enum Phase {
    /** Nothing sent, or part of a request. */
    CLEAR,
    /** SSLRequest sent; the server's one-byte answer is due. */
    TLS_REQUESTED,
    /** The server answered S: Veil's TLS factory takes over next. */
    TLS_ACCEPTED,
    /** TLS runs over this socket; the clear streams are dead. */
    TLS,
    /** A CancelRequest was sent: only the server's reply (its close) is read. */
    CANCEL,
    /** Refused and closed. */
    REFUSED
  }

  private final TlsReceipt receipt;
  private final Object lock = new Object();
  private final byte[] request = new byte[MAX_CANCEL_LENGTH];
  private int requestLength;
  private Phase phase = Phase.CLEAR;
  private volatile String endpoint = "the server";

  /** @param receipt the connect to report refusals to, or null */
  GuardedTcpSocket(TlsReceipt receipt) {
    this.receipt = receipt;
  }

  @Override
  public void connect(SocketAddress address, int timeout) throws IOException {
    if (address instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) address;
      endpoint = inet.getHostString() + ":" + inet.getPort();
    }
    super.connect(address, timeout);
  }

  @Override
  public InputStream getInputStream() throws IOException {
    synchronized (lock) {
      if (phase == Phase.TLS) {
        return super.getInputStream();
      }
    }
    return new ClearInput(super.getInputStream());
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    synchronized (lock) {
      if (phase == Phase.TLS) {
        return super.getOutputStream();
      }
    }
    return new ClearOutput(super.getOutputStream());
  }

  /**
   * Veil's TLS factory takes the socket over: allowed on a fresh socket (direct TLS) or after
   * the server agreed to TLS.
   */
  void beginTls() throws TlsRefusedException {
    synchronized (lock) {
      if (phase == Phase.CLEAR && requestLength == 0 || phase == Phase.TLS_ACCEPTED) {
        phase = Phase.TLS;
        return;
      }
      throw refuse("TLS was to start on a socket that " + describe(phase), pgjdbcBug());
    }
  }

  @Override
  public String toString() {
    return "GuardedTcpSocket[" + endpoint + "]";
  }

  private static String describe(Phase phase) {
    switch (phase) {
      case CLEAR:
        return "had sent part of a request";
      case TLS_REQUESTED:
        return "was still waiting for the server's answer to the TLS request";
      case TLS:
        return "already carries TLS";
      case CANCEL:
        return "carried a cancel request";
      default:
        return "was refused";
    }
  }

  private static String pgjdbcBug() {
    return "report it to Veil's maintainers with the pgjdbc version: pgjdbc used the"
        + " connection in a way Veil does not expect";
  }

  /** Closes the socket, records the refusal, and returns it for the caller to throw. */
  private TlsRefusedException refuse(String reason, String fix) {
    phase = Phase.REFUSED;
    TlsRefusedException refusal = new TlsRefusedException(endpoint, reason, fix, null);
    try {
      close();
    } catch (IOException e) {
      refusal.addSuppressed(e);
    }
    if (receipt != null) {
      receipt.refused(refusal);
    }
    return refusal;
  }

  // The request so far: may it still become an SSLRequest or a CancelRequest?

  private boolean isRequestPrefix() {
    int n = requestLength;
    if (n >= 1 && request[0] != 0 || n >= 2 && request[1] != 0
        || n >= 3 && (request[2] & 0xff) > 1) {
      return false;
    }
    if (n < 4) {
      return true;
    }
    int length = declaredLength();
    if (length != SSL_REQUEST_LENGTH
        && (length < MIN_CANCEL_LENGTH || length > MAX_CANCEL_LENGTH) || n > length) {
      return false;
    }
    int code = length == SSL_REQUEST_LENGTH ? SSL_REQUEST_CODE : CANCEL_REQUEST_CODE;
    for (int i = 4; i < Math.min(n, 8); i++) {
      if (request[i] != (byte) (code >>> (8 * (7 - i)))) {
        return false;
      }
    }
    return true;
  }

  private int declaredLength() {
    return (request[0] & 0xff) << 24 | (request[1] & 0xff) << 16 | (request[2] & 0xff) << 8
        | request[3] & 0xff;
  }

  /** The stream pgjdbc writes to before TLS: requests only. */
  private final class ClearOutput extends OutputStream {

    private final OutputStream out;

    ClearOutput(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      synchronized (lock) {
        if (phase != Phase.CLEAR) {
          throw refuse("Veil stopped " + len + " bytes from leaving in clear on a socket that "
              + describe(phase), pgjdbcBug());
        }
        for (int i = 0; i < len; i++) {
          if (requestLength == request.length) {
            throw refuse(clearData(len), pgjdbcBug());
          }
          request[requestLength++] = b[off + i];
          if (!isRequestPrefix()) {
            throw refuse(clearData(len), pgjdbcBug());
          }
        }
        out.write(b, off, len);
        if (requestLength >= 4 && requestLength == declaredLength()) {
          phase = requestLength == SSL_REQUEST_LENGTH ? Phase.TLS_REQUESTED : Phase.CANCEL;
        }
      }
    }

    private String clearData(int len) {
      return "Veil stopped " + len + " bytes from leaving in clear before TLS (only"
          + " PostgreSQL's SSLRequest and CancelRequest may)";
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      GuardedTcpSocket.this.close();
    }
  }

  /** The stream pgjdbc reads from before TLS: the server's answer to a request only. */
  private final class ClearInput extends InputStream {

    private final InputStream in;

    ClearInput(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      Phase now;
      synchronized (lock) {
        now = phase;
      }
      if (now == Phase.CANCEL) {
        return in.read(b, off, len);
      }
      if (now != Phase.TLS_REQUESTED) {
        synchronized (lock) {
          throw refuse("Veil stopped a read in clear from a socket that " + describe(now),
              pgjdbcBug());
        }
      }
      // One byte only: anything after the answer must reach JSSE, which rejects it as garbage.
      int n = in.read(b, off, 1);
      if (n > 0) {
        synchronized (lock) {
          answered(b[off]);
        }
      }
      return n;
    }

    private void answered(byte answer) throws TlsRefusedException {
      switch (answer) {
        case 'S':
          phase = Phase.TLS_ACCEPTED;
          return;
        case 'N':
          throw refuse("the server does not offer TLS; Veil requires TLS 1.3", "turn TLS on at"
              + " the server (ssl = on, with a certificate, and ssl_min_protocol_version ="
              + " 'TLSv1.3'), or connect to a server that has it");
        case 'E':
          throw refuse("the server answered the TLS request with an error instead of TLS;"
              + " Veil requires TLS 1.3", "check the server's log, and that it runs with"
              + " ssl = on");
        default:
          throw refuse("the server answered the TLS request with " + (answer & 0xff)
              + ", which is not PostgreSQL's protocol", "check that host and port name a"
              + " PostgreSQL server");
      }
    }

    @Override
    public int available() throws IOException {
      synchronized (lock) {
        return phase == Phase.CANCEL ? in.available() : 0;
      }
    }

    @Override
    public void close() throws IOException {
      GuardedTcpSocket.this.close();
    }
  }
}
