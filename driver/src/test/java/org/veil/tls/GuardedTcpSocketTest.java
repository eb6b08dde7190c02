package org.veil.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard on Veil's TCP sockets, against a TCP peer that records every byte it receives: what
 * may leave in clear before TLS, and what is read in clear.
 */
class GuardedTcpSocketTest {

  private static final byte[] SSL_REQUEST = ByteBuffer.allocate(8).putInt(8).putInt(80877103)
      .array();

  private ServerSocket peer;
  private Socket accepted;
  private GuardedTcpSocket socket;

  @BeforeEach
  void connect() throws IOException {
    peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    socket = new GuardedTcpSocket(null);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.getLocalPort()));
    accepted = peer.accept();
    accepted.setSoTimeout(10_000);
  }

  @AfterEach
  void close() throws IOException {
    socket.close();
    accepted.close();
    peer.close();
  }

  /** Everything the peer receives until the guarded socket closes. */
  private byte[] receivedByPeer() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    InputStream in = accepted.getInputStream();
    byte[] buffer = new byte[512];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      all.write(buffer, 0, n);
    }
    return all.toByteArray();
  }

  private static byte[] startupMessage() {
    byte[] user = "user\0app\0database\0app\0\0".getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(8 + user.length).putInt(8 + user.length).putInt(196608)
        .put(user).array();
  }

  @Test
  void startupMessageIsNotWrittenInClear() throws IOException {
    OutputStream out = socket.getOutputStream();
    assertThatThrownBy(() -> out.write(startupMessage()))
        .isInstanceOf(TlsRefusedException.class)
        .hasMessageContaining("bytes from leaving in clear before TLS");
    assertThat(socket.isClosed()).isTrue();
    assertThat(receivedByPeer()).isEmpty();
  }

  @Test
  void startupMessageIsNotWrittenAfterTheSslRequest() throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(SSL_REQUEST);
    assertThatThrownBy(() -> out.write(startupMessage()))
        .isInstanceOf(TlsRefusedException.class);
    assertThat(receivedByPeer()).isEqualTo(SSL_REQUEST);
  }

  @Test
  void sslRequestWrittenInPiecesPassesAndNoIsRefused() throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(SSL_REQUEST, 0, 3);
    out.write(SSL_REQUEST, 3, 5);
    accepted.getOutputStream().write('N');
    InputStream in = socket.getInputStream();
    assertThatThrownBy(in::read)
        .isInstanceOf(TlsRefusedException.class)
        .hasMessageContaining("the server does not offer TLS; Veil requires TLS 1.3");
    assertThat(receivedByPeer()).isEqualTo(SSL_REQUEST);
  }

  @Test
  void bytesAfterTheServersYesAreNotReadInClear() throws IOException {
    socket.getOutputStream().write(SSL_REQUEST);
    accepted.getOutputStream().write("Sinjected".getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[64];
    assertThat(in.read(buffer, 0, buffer.length)).isEqualTo(1);
    assertThat(buffer[0]).isEqualTo((byte) 'S');
    assertThatThrownBy(() -> in.read(buffer, 0, buffer.length))
        .isInstanceOf(TlsRefusedException.class);
  }

  @Test
  void clearStreamsGoDeadWhenTlsBegins() throws IOException {
    OutputStream clearOut = socket.getOutputStream();
    clearOut.write(SSL_REQUEST);
    accepted.getOutputStream().write('S');
    assertThat(socket.getInputStream().read()).isEqualTo('S');
    socket.beginTls();
    assertThatThrownBy(() -> clearOut.write(startupMessage()))
        .isInstanceOf(TlsRefusedException.class);
    assertThat(receivedByPeer()).isEqualTo(SSL_REQUEST);
  }

  @Test
  void streamsTakenAfterTlsBeginsCarryTlsRecordsUnchecked() throws Exception {
    socket.beginTls();
    byte[] record = {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5};
    socket.getOutputStream().write(record);
    CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
      try {
        return accepted.getInputStream().readNBytes(record.length);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(record);
  }

  @Test
  void tlsCannotBeginWhileTheServersAnswerIsDue() throws IOException {
    socket.getOutputStream().write(SSL_REQUEST);
    assertThatThrownBy(socket::beginTls).isInstanceOf(TlsRefusedException.class);
    assertThat(socket.isClosed()).isTrue();
  }

  @Test
  void cancelRequestPassesAndNothingMayFollowIt() throws IOException {
    byte[] cancel = ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(4242)
        .putInt(0x5eed).array();
    OutputStream out = socket.getOutputStream();
    out.write(cancel);
    assertThatThrownBy(() -> out.write(1)).isInstanceOf(TlsRefusedException.class);
    assertThat(receivedByPeer()).isEqualTo(cancel);
  }

  @Test
  void nothingIsReadInClearBeforeARequest() throws IOException {
    accepted.getOutputStream().write('S');
    assertThatThrownBy(() -> socket.getInputStream().read())
        .isInstanceOf(TlsRefusedException.class);
  }
}
