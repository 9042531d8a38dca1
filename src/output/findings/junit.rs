//! JUnit XML (with quick-junit): one test suite, one test case per checked
//! finding fingerprint; a new finding fails its case, a baselined or
//! allowed one passes (its status in the case's output), each skipped input
//! is a skipped case. A clean run is one passing case, so CI dashboards
//! show the check ran.

use crate::check::finding::Status;
use crate::check::Outcome;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

pub fn to_xml(outcome: &Outcome) -> Result<String, quick_junit::SerializeError> {
    let mut suite = TestSuite::new("copydesk check");
    for f in &outcome.findings {
        let name = format!("{} {} <- {}", f.kind.as_str(), f.copy.path, f.original.path);
        let status = match &f.status {
            Status::New => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(f.message());
                s.set_type(f.kind.as_str());
                s.set_description(format!(
                    "{}:{}:{}\n{}\nfingerprint {}",
                    f.copy.path, f.copy.line, f.copy.column, f.excerpt, f.fingerprint
                ));
                s
            }
            _ => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(f.fingerprint.as_str());
        if let Status::Allowed(reason) = &f.status {
            case.set_system_out(format!("allowed: {reason}"));
        } else if f.status == Status::Baselined {
            case.set_system_out("baselined");
        }
        suite.add_test_case(case);
    }
    for s in &outcome.skipped {
        let mut status = TestCaseStatus::skipped();
        status.set_message(s.reason.as_str());
        suite.add_test_case(TestCase::new(format!("skipped {}", s), status));
    }
    if outcome.findings.is_empty() {
        suite.add_test_case(TestCase::new(
            format!("{} documents, no findings", outcome.documents),
            TestCaseStatus::success(),
        ));
    }
    let mut report = Report::new("copydesk");
    report.add_test_suite(suite);
    report.to_string()
}
