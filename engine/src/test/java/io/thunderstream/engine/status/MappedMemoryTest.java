package io.thunderstream.engine.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading an LMDB's mapping out of smaps text as a Linux 6 kernel writes it. */
class MappedMemoryTest {

    private static final String SMAPS = """
            7f3a10000000-7f3a20000000 r--s 00000000 fe:01 393231                     /var/lib/pdns/pdns.lmdb
            Size:             262144 kB
            KernelPageSize:        4 kB
            MMUPageSize:           4 kB
            Rss:                6232 kB
            Pss:                3116 kB
            Pss_Dirty:             0 kB
            Shared_Clean:       1892 kB
            Shared_Dirty:          0 kB
            Private_Clean:      4340 kB
            Private_Dirty:         0 kB
            Referenced:         6232 kB
            Anonymous:             0 kB
            KSM:                   0 kB
            LazyFree:              0 kB
            AnonHugePages:         0 kB
            ShmemPmdMapped:        0 kB
            FilePmdMapped:         0 kB
            Shared_Hugetlb:        0 kB
            Private_Hugetlb:       0 kB
            Swap:                  0 kB
            SwapPss:               0 kB
            Locked:                0 kB
            THPeligible:           0
            VmFlags: rd sh mr mw me ms sd
            7f3a20000000-7f3a20002000 rw-s 00000000 fe:01 393232                     /var/lib/pdns/pdns.lmdb-lock
            Size:                  8 kB
            Rss:                   8 kB
            VmFlags: rd wr sh mr mw me ms sd
            7f3a30000000-7f3a30100000 r--s 00000000 fe:01 393240                     /srv/my zones/data.mdb
            Size:               1024 kB
            Rss:                 512 kB
            VmFlags: rd sh mr mw me ms sd
            7f3a40000000-7f3a40100000 rw-p 00000000 00:00 0
            Size:               1024 kB
            Rss:                1024 kB
            VmFlags: rd wr mr mw me ac sd
            7f3a50000000-7f3a60000000 r--s 00000000 fe:01 393231                     /var/lib/pdns/pdns.lmdb
            Size:             262144 kB
            Rss:                   4 kB
            VmFlags: rd sh mr mw me ms sd
            """;

    @Test
    void takesEveryKbLineOfEachFilesFirstMappingInBytes() throws IOException {
        Map<String, Map<String, Long>> mappings = MappedMemory.parse(reader(SMAPS),
                List.of("/var/lib/pdns/pdns.lmdb", "/srv/my zones/data.mdb", "/var/lib/pdns/pdns.lmdb-0"));

        assertThat(mappings).containsOnlyKeys("/var/lib/pdns/pdns.lmdb", "/srv/my zones/data.mdb");
        Map<String, Long> main = mappings.get("/var/lib/pdns/pdns.lmdb");
        assertThat(main).containsEntry("size", 262144L * 1024).containsEntry("rss", 6232L * 1024)
                .containsEntry("pss", 3116L * 1024).containsEntry("shared_clean", 1892L * 1024)
                .containsEntry("private_clean", 4340L * 1024).containsEntry("private_dirty", 0L)
                .containsEntry("referenced", 6232L * 1024).containsEntry("locked", 0L)
                .doesNotContainKeys("thpeligible", "vmflags").hasSize(22);
        assertThat(mappings.get("/srv/my zones/data.mdb")).as("a path with a space")
                .isEqualTo(Map.of("size", 1024L * 1024, "rss", 512L * 1024));
    }

    @Test
    void anUnreadableFigureIsAnErrorThatQuotesTheLine() {
        String smaps = """
                7f3a10000000-7f3a20000000 r--s 00000000 fe:01 393231                     /db/data.mdb
                Rss:                  x2 kB
                """;
        assertThatThrownBy(() -> MappedMemory.parse(reader(smaps), List.of("/db/data.mdb")))
                .isInstanceOf(IOException.class).hasMessageContaining("Rss:                  x2 kB");
    }

    private static BufferedReader reader(String text) {
        return new BufferedReader(new StringReader(text));
    }
}
