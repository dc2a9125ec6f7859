// Validates PDFs against PDF/A-3b with veraPDF (the reference validator) in one JVM: prints
// "ok FILE" or "FAIL FILE" with each failed rule, and exits 1 when any file fails.
// Usage: java -cp <veraPDF class path>:. Validate FILE...
import java.io.FileInputStream;
import java.io.InputStream;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

public class Validate {
    public static void main(String[] args) throws Exception {
        VeraGreenfieldFoundryProvider.initialise();
        int failed = 0;
        for (String file : args) {
            try (InputStream in = new FileInputStream(file);
                 PDFAParser parser = Foundries.defaultInstance().createParser(in)) {
                // The file must declare PDF/A-3B itself (XMP pdfaid), not only pass its rules.
                PDFAFlavour declared = parser.getFlavour();
                PDFAValidator validator = Foundries.defaultInstance().createValidator(PDFAFlavour.PDFA_3_B, false);
                ValidationResult result = validator.validate(parser);
                boolean ok = result.isCompliant() && declared == PDFAFlavour.PDFA_3_B;
                System.out.println((ok ? "ok   " : "FAIL ") + file + " (declares " + declared + ")");
                if (!ok) {
                    failed++;
                    for (TestAssertion a : result.getTestAssertions()) {
                        if (a.getStatus() == TestAssertion.Status.FAILED) {
                            System.out.println("  " + a.getRuleId().getClause() + "-" + a.getRuleId().getTestNumber()
                                + ": " + a.getMessage());
                        }
                    }
                }
            } catch (Exception e) {
                // A file veraPDF cannot read as PDF/A at all (no PDF/A identification, say).
                failed++;
                System.out.println("FAIL " + file + ": " + e);
            }
        }
        System.out.println((args.length - failed) + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
