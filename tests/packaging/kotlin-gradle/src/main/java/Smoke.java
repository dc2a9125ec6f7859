// Stamp + verify of the shared 5-line invoice from Java, with sa.qayd:qayd resolved by Gradle.
// Argument: a directory with simplified-5-lines.xml, cert.pem and ec-secp256k1-priv-key.pem.

import java.nio.file.Files;
import java.nio.file.Path;
import sa.qayd.QaydException;
import sa.qayd.Qayd_uniffiKt;
import sa.qayd.Signer;
import sa.qayd.StampedInvoice;
import sa.qayd.VerificationReport;

public final class Smoke {
    private static int passed;
    private static int failed;

    private static void check(String name, boolean ok) {
        if (ok) { passed++; System.out.println("ok    " + name); }
        else { failed++; System.out.println("FAIL  " + name); }
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        byte[] xml = Files.readAllBytes(data.resolve("simplified-5-lines.xml"));
        check("engine version " + Qayd_uniffiKt.version(), !Qayd_uniffiKt.version().isEmpty());
        try (Signer signer = new Signer(Files.readAllBytes(data.resolve("cert.pem")),
                Files.readAllBytes(data.resolve("ec-secp256k1-priv-key.pem")))) {
            StampedInvoice stamped = signer.stamp(xml, null);
            check("stamp: invoice hash", stamped.getInvoiceHash().equals(Qayd_uniffiKt.invoiceHash(stamped.getXml().toByteArray())));
            VerificationReport report = Qayd_uniffiKt.verify(stamped.getXml().toByteArray());
            check("verify: valid", report.getValid());
        }
        try {
            Qayd_uniffiKt.invoiceHash("not xml".getBytes());
            check("a QaydException for bad XML", false);
        } catch (QaydException.InvalidXml e) {
            check("QaydException.InvalidXml for bad XML", e.getCode().equals("INVALID_XML"));
        }
        System.out.println("kotlin-gradle: " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
