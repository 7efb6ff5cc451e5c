package io.braid.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Append-only block file: records of [u32 length][block bytes]. One fsync per appended block (never per
 * transaction). A torn record at the tail (crash mid-write) is cut off on open. Thread-safe.
 */
public final class BlockStore implements AutoCloseable {
    private final Path file;
    private final FileChannel ch;
    private long[] offsets = new long[1024]; // offsets[h-1] = start of block h's record
    private int count;
    private long end;

    private BlockStore(Path file, FileChannel ch) {
        this.file = file;
        this.ch = ch;
    }

    /** Opens (creating if needed) the block file, indexing records and trimming a torn tail. */
    public static BlockStore open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        BlockStore s = new BlockStore(file, ch);
        s.index();
        return s;
    }

    /** Opens an existing block file read-only-in-spirit (for verify); no trimming. */
    public static BlockStore openForRead(Path file) throws IOException {
        if (!java.nio.file.Files.exists(file)) throw new IOException(file + ": no block file (is this a ledger data directory?)");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        BlockStore s = new BlockStore(file, ch);
        s.indexNoTrim();
        return s;
    }

    private void index() throws IOException {
        indexNoTrim();
        if (end < ch.size()) ch.truncate(end); // torn tail from a crash
    }

    private void indexNoTrim() throws IOException {
        long size = ch.size();
        long pos = 0;
        ByteBuffer lb = ByteBuffer.allocate(4);
        while (pos + 4 <= size) {
            lb.clear();
            ch.read(lb, pos);
            int len = lb.getInt(0);
            if (len <= 0 || pos + 4 + len > size) break;
            addOffset(pos);
            pos += 4 + len;
        }
        end = pos;
    }

    private void addOffset(long pos) {
        if (count == offsets.length) offsets = Arrays.copyOf(offsets, count * 2);
        offsets[count++] = pos;
    }

    /** Number of stored blocks (= height of the last one). */
    public synchronized int count() {
        return count;
    }

    /** True if the file has bytes after the last whole record (only possible for {@link #openForRead}). */
    public synchronized boolean hasTrailingGarbage() throws IOException {
        return end < ch.size();
    }

    /** Appends block {@code count()+1} and forces it to disk. */
    public synchronized void append(Block b) throws IOException {
        if (b.height() != count + 1) throw new IllegalStateException("append of block " + b.height() + " but store holds " + count);
        byte[] bytes = b.encode();
        ByteBuffer buf = ByteBuffer.allocate(4 + bytes.length);
        buf.putInt(bytes.length).put(bytes).flip();
        long pos = end;
        while (buf.hasRemaining()) pos += ch.write(buf, pos);
        ch.force(false);
        addOffset(end);
        end = pos;
    }

    /** The raw bytes of block {@code height} (1-based). */
    public synchronized byte[] readRaw(long height) throws IOException {
        if (height < 1 || height > count) throw new IllegalArgumentException("no block at height " + height + " (store holds 1.." + count + ")");
        long off = offsets[(int) height - 1];
        ByteBuffer lb = ByteBuffer.allocate(4);
        ch.read(lb, off);
        int len = lb.getInt(0);
        ByteBuffer data = ByteBuffer.allocate(len);
        long p = off + 4;
        while (data.hasRemaining()) {
            int r = ch.read(data, p);
            if (r < 0) throw new IOException(file + ": unexpected end of file in block " + height);
            p += r;
        }
        return data.array();
    }

    /** Decodes block {@code height}. */
    public Block read(long height) throws IOException {
        try {
            return Block.decode(readRaw(height));
        } catch (MalformedException e) {
            throw new MalformedException("block " + height + ": " + e.getMessage());
        }
    }

    /** Drops every block above {@code height} (used when a snapshot older than the file is restored). */
    public synchronized void truncate(long height) throws IOException {
        if (height >= count) return;
        long newEnd = height == 0 ? 0 : offsets[(int) height];
        ch.truncate(newEnd);
        ch.force(true);
        count = (int) height;
        end = newEnd;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() throws IOException {
        ch.close();
    }
}
