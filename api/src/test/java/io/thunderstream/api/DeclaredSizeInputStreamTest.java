package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class DeclaredSizeInputStreamTest {

    private static DeclaredSizeInputStream of(int bytes, long declared) {
        return new DeclaredSizeInputStream(new ByteArrayInputStream(new byte[bytes]), declared, "test: write of x");
    }

    @Test
    void exactlyTheDeclaredSizeReadsToTheEnd() throws IOException {
        assertThat(of(10, 10).readAllBytes()).hasSize(10);
        assertThat(of(0, 0).read()).isEqualTo(-1);
        assertThat(of(7, -1).readAllBytes()).as("unknown size checks nothing").hasSize(7);
    }

    @Test
    void moreThanDeclaredFailsAtTheFirstExtraByte() throws IOException {
        DeclaredSizeInputStream in = of(11, 10);
        assertThat(in.readNBytes(10)).hasSize(10);
        assertThatThrownBy(in::read).isInstanceOf(StorageException.class)
                .hasMessage("test: write of x aborted: the data holds more than the declared 10 bytes; nothing was stored");
    }

    @Test
    void lessThanDeclaredFailsAtTheEnd() {
        assertThatThrownBy(() -> of(9, 10).readAllBytes()).isInstanceOf(StorageException.class)
                .hasMessage("test: write of x aborted: the data holds 9 bytes, not the declared 10; nothing was stored");
    }
}
