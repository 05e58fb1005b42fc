package io.thunderstream.engine.lmdb;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueHeaderTest {
    private static final ByteBuffer KEY = ByteBuffer.wrap("example.org".getBytes(StandardCharsets.US_ASCII));

    @Test
    void writesTheDocumentedLayout() {
        ByteBuffer b = ByteBuffer.allocate(24);
        ValueHeader.write(b, 0x0102030405060708L, 0x1112131415161718L, ValueHeader.FLAG_DELETED);
        assertThat(b.position()).isEqualTo(24);
        assertThat(HexFormat.of().formatHex(b.array()))
                .isEqualTo("0102030405060708" + "1112131415161718" + "00" + "01" + "00000000" + "0000");
        byte[] a = new byte[30];
        ValueHeader.write(a, 3, 0x0102030405060708L, 0x1112131415161718L, 0x81);
        assertThat(HexFormat.of().formatHex(a, 3, 27))
                .isEqualTo("0102030405060708" + "1112131415161718" + "00" + "81" + "00000000" + "0000");
    }

    @Test
    void parsesFromThePositionWhateverTheByteOrder() {
        ByteBuffer b = ByteBuffer.allocateDirect(40).order(ByteOrder.LITTLE_ENDIAN);
        b.position(5);
        ValueHeader.write(b, 1704164645123456789L, 42, ValueHeader.FLAG_DELETED);
        b.put((byte) 'v');
        b.flip().position(5);
        assertThat(ValueHeader.length(b, "d", KEY)).isEqualTo(24);
        assertThat(ValueHeader.timestampNano(b)).isEqualTo(1704164645123456789L);
        assertThat(ValueHeader.txnId(b)).isEqualTo(42);
        assertThat(ValueHeader.flags(b)).isEqualTo(1);
        assertThat(ValueHeader.isDeleted(b)).isTrue();
        assertThat(b.position()).isEqualTo(5);
    }

    @Test
    void skipsExtensionBlocksAndIgnoresReservedBytes() {
        byte[] v = HexFormat.of().parseHex("0000000000000001" + "0000000000000002" + "00" + "00" + "ffffffff" + "0002"
                + "aaaaaaaaaaaaaaaa" + "bbbbbbbbbbbbbbbb" + "7878");
        assertThat(ValueHeader.length(ByteBuffer.wrap(v), "d", KEY)).isEqualTo(40);
        assertThat(ValueHeader.length(v, 0, v.length, "d", KEY.array())).isEqualTo(40);
        assertThat(ValueHeader.timestampNano(v, 0)).isEqualTo(1);
        assertThat(ValueHeader.txnId(v, 0)).isEqualTo(2);
        assertThat(ValueHeader.flags(v, 0)).isZero();
    }

    @Test
    void tooShortValuesNameDbiAndKey() {
        assertThatThrownBy(() -> ValueHeader.length(ByteBuffer.allocate(23), "domains_v5", KEY))
                .isInstanceOf(ValueHeaderException.class)
                .hasMessageContaining("domains_v5").hasMessageContaining("\"example.org\"").hasMessageContaining("23 bytes");
        byte[] withExtension = new byte[24 + 7];
        withExtension[23] = 1; // one block announced, 7 bytes present
        assertThatThrownBy(() -> ValueHeader.length(ByteBuffer.wrap(withExtension), "records", ByteBuffer.wrap(new byte[] {1, 0})))
                .isInstanceOf(ValueHeaderException.class)
                .hasMessageContaining("records").hasMessageContaining("0x0100").hasMessageContaining("(32 bytes)");
        assertThatThrownBy(() -> ValueHeader.length(new byte[10], 0, 10, "x", new byte[] {'k'}))
                .isInstanceOf(ValueHeaderException.class).hasMessageContaining("\"k\"");
    }

    @Test
    void refusesOtherHeaderVersions() {
        byte[] v = new byte[24];
        v[16] = 1;
        assertThatThrownBy(() -> ValueHeader.length(ByteBuffer.wrap(v), "d", KEY))
                .isInstanceOf(ValueHeaderException.class).hasMessageContaining("version 1");
    }

    /** A data DBI without headers is most likely an application that writes none; a shadow's is damage. */
    @Test
    void aDataDbiWithoutHeadersPointsAtShadowMode() {
        assertThatThrownBy(() -> ValueHeader.length(ByteBuffer.allocate(5), "domains", KEY))
                .hasMessageEndingWith("value of 5 bytes is shorter than its header (24 bytes); native mode"
                        + " (schema_tracks_changes: true) needs a Lightning Stream header on every value: for an application"
                        + " that writes none (PowerDNS before 4.8) set schema_tracks_changes: false");
        assertThatThrownBy(() -> ValueHeader.length(ByteBuffer.allocate(5), "_sync_shadow_domains", KEY))
                .hasMessageEndingWith("value of 5 bytes is shorter than its header (24 bytes)");
    }

    @Test
    void aHeaderAsAnApplicationWritesItIsToldFromPlainData() {
        long ts = 1_700_000_000_000_000_000L;
        assertThat(ValueHeader.looksWritten(header(ts, 7, 0, 0, 5), 7)).isTrue();
        assertThat(ValueHeader.looksWritten(header(ts, 7, ValueHeader.FLAG_DELETED, 0, 0), 9)).isTrue();
        assertThat(ValueHeader.looksWritten(header(ts, 8, 0, 0, 5), 7)).as("a txn id past the LMDB's").isFalse();
        assertThat(ValueHeader.looksWritten(header(ts, 0, 0, 0, 5), 7)).as("txn id 0").isFalse();
        assertThat(ValueHeader.looksWritten(header(0, 7, 0, 0, 5), 7)).as("timestamp 0").isFalse();
        assertThat(ValueHeader.looksWritten(header(ts, 7, 0x02, 0, 5), 7)).as("an unknown flag").isFalse();
        assertThat(ValueHeader.looksWritten(header(ts, 7, 0, 1, 5), 7)).as("reserved bytes set").isFalse();
        assertThat(ValueHeader.looksWritten(ByteBuffer.allocate(23), 7)).as("too short").isFalse();
        ByteBuffer text = ByteBuffer.wrap("a value longer than a header, 32 bytes".getBytes(StandardCharsets.US_ASCII));
        assertThat(ValueHeader.looksWritten(text, Long.MAX_VALUE)).isFalse();
    }

    private static ByteBuffer header(long ts, long txnId, int flags, int reserved, int valueSize) {
        ByteBuffer b = ByteBuffer.allocate(ValueHeader.SIZE + valueSize);
        ValueHeader.write(b, ts, txnId, flags);
        return b.putInt(18, reserved).rewind();
    }

    @Test
    void flagNames() {
        assertThat(DbiFlags.toString(0)).isEqualTo("0");
        assertThat(DbiFlags.toString(DbiFlags.INTEGERKEY | DbiFlags.DUPSORT)).isEqualTo("DUPSORT|INTEGERKEY");
        assertThat(DbiFlags.toString(0x108)).isEqualTo("INTEGERKEY|0x100");
        assertThat(DbiFlags.has(0x0c, DbiFlags.DUPSORT)).isTrue();
        assertThat(DbiFlags.has(0x08, DbiFlags.DUPSORT)).isFalse();
    }
}
