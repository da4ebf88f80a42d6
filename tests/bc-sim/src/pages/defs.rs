//! The published pages: Customer Card (page 21), Item Card (30), Sales Order (42) and Sales Credit
//! Memo (44) with their lines subpages, Posted Sales Invoice (132) with its lines, Posted Sales
//! Credit Memo (134), Ship-to Address (300), and the built-in `Company` service. Fields are declared by their AL caption; the
//! EDMX property names are derived with BC's mangling rules, and the service names come from
//! the configuration, so the definitions are built once per simulator.

use crate::config::PageServices;
use crate::store::sales::DocKind;
use crate::odata::schema::{Access, EnumDef, Nav, Prop, SetDef, Ty, CUSTOMER_BLOCKED, ITEM_TYPE, SALES_LINE_TYPE};

pub static DOCUMENT_TYPE: EnumDef = EnumDef {
    name: "Document_Type",
    members: &[
        ("Quote", 0),
        ("Order", 1),
        ("Invoice", 2),
        ("Credit_x0020_Memo", 3),
        ("Blanket_x0020_Order", 4),
        ("Return_x0020_Order", 5),
    ],
};

pub static STATUS: EnumDef = EnumDef {
    name: "Status",
    members: &[("Open", 0), ("Released", 1), ("Pending_x0020_Approval", 2), ("Pending_x0020_Prepayment", 3)],
};

pub static SHIPPING_ADVICE: EnumDef = EnumDef { name: "Shipping_Advice", members: &[("Partial", 0), ("Complete", 1)] };

/// `Applies-to Doc. Type` (enum Gen. Journal Document Type).
pub static APPLIES_TO_DOC_TYPE: EnumDef = EnumDef {
    name: "Applies_to_Doc_Type",
    members: &[("_x0020_", 0), ("Payment", 1), ("Invoice", 2), ("Credit_x0020_Memo", 3), ("Finance_x0020_Charge_x0020_Memo", 4), ("Reminder", 5), ("Refund", 6)],
};

/// Enum types of the page services' `$metadata`.
pub static PAGE_ENUMS: &[&EnumDef] =
    &[&DOCUMENT_TYPE, &STATUS, &SHIPPING_ADVICE, &APPLIES_TO_DOC_TYPE, &CUSTOMER_BLOCKED, &ITEM_TYPE, &SALES_LINE_TYPE];

/// EDMX name of a page field (reference §1.4): spaces → `_`, dots removed, parentheses removed,
/// `/` and `-` → `_`, `'` → `_x0027_`, `%` → `Percent`, `[`/`]` → `_x005B_`/`_x005D_`.
pub fn mangle(caption: &str) -> String {
    let mut out = String::with_capacity(caption.len());
    for c in caption.chars() {
        match c {
            ' ' | '/' | '-' => out.push('_'),
            '.' | '(' | ')' => {}
            '\'' => out.push_str("_x0027_"),
            '%' => out.push_str("Percent"),
            '[' => out.push_str("_x005B_"),
            ']' => out.push_str("_x005D_"),
            other => out.push(other),
        }
    }
    out
}

/// A page field by caption.
struct Field {
    caption: &'static str,
    ty: Ty,
    max: usize,
    editable: bool,
    flow_filter: bool,
}

const fn f(caption: &'static str, ty: Ty, max: usize) -> Field {
    Field { caption, ty, max, editable: true, flow_filter: false }
}

/// Not editable on the page.
const fn ro(caption: &'static str, ty: Ty) -> Field {
    Field { caption, ty, max: 0, editable: false, flow_filter: false }
}

const fn flow(caption: &'static str) -> Field {
    Field { caption, ty: Ty::Text, max: 0, editable: true, flow_filter: true }
}

use Ty::{Bool, Code, Date, Decimal, Guid, Int, Text};

const COMPANY_FIELDS: &[Field] = &[
    ro("Name", Text),
    ro("Evaluation Company", Bool),
    ro("Display Name", Text),
    ro("Id", Guid),
    ro("Business Profile Id", Text),
];

const CUSTOMER_FIELDS: &[Field] = &[
    f("No.", Code, 20),
    f("Name", Text, 100),
    f("Address", Text, 100),
    f("Address 2", Text, 50),
    f("City", Text, 30),
    f("County", Text, 30),
    f("Post Code", Code, 20),
    f("Country/Region Code", Code, 10),
    f("Phone No.", Text, 30),
    f("E-Mail", Text, 80),
    f("Home Page", Text, 80),
    f("Salesperson Code", Code, 20),
    f("Customer Price Group", Code, 10),
    f("Payment Terms Code", Code, 10),
    f("Payment Method Code", Code, 10),
    f("Shipment Method Code", Code, 10),
    f("Location Code", Code, 10),
    f("Currency Code", Code, 10),
    f("Prices Including VAT", Bool, 0),
    f("Credit Limit (LCY)", Decimal, 0),
    ro("Balance (LCY)", Decimal),
    f("Blocked", Ty::Enum(&CUSTOMER_BLOCKED), 0),
    f("VAT Registration No.", Text, 20),
    f("Customer Posting Group", Code, 20),
    f("Gen. Bus. Posting Group", Code, 20),
    f("VAT Bus. Posting Group", Code, 20),
    ro("Last Date Modified", Date),
];

const ITEM_FIELDS: &[Field] = &[
    f("No.", Code, 20),
    f("Description", Text, 100),
    f("Description 2", Text, 50),
    f("Type", Ty::Enum(&ITEM_TYPE), 0),
    f("Base Unit of Measure", Code, 10),
    ro("Inventory", Decimal),
    f("Unit Price", Decimal, 0),
    f("Unit Cost", Decimal, 0),
    f("Price Includes VAT", Bool, 0),
    f("Item Category Code", Code, 20),
    f("Blocked", Bool, 0),
    f("GTIN", Code, 14),
    f("VAT Prod. Posting Group", Code, 20),
    f("Gen. Prod. Posting Group", Code, 20),
    f("Inventory Posting Group", Code, 20),
    ro("Last Date Modified", Date),
    flow("Location Filter"),
    flow("Variant Filter"),
];

const ORDER_FIELDS: &[Field] = &[
    ro("Document Type", Ty::Enum(&DOCUMENT_TYPE)),
    ro("No.", Code),
    f("Sell-to Customer No.", Code, 20),
    ro("Sell-to Customer Name", Text),
    f("Sell-to Address", Text, 100),
    f("Sell-to Address 2", Text, 50),
    f("Sell-to City", Text, 30),
    f("Sell-to County", Text, 30),
    f("Sell-to Post Code", Code, 20),
    f("Sell-to Country/Region Code", Code, 10),
    f("Sell-to Phone No.", Text, 30),
    f("Sell-to E-Mail", Text, 80),
    f("External Document No.", Code, 35),
    f("Your Reference", Text, 35),
    f("Order Date", Date, 0),
    f("Document Date", Date, 0),
    f("Posting Date", Date, 0),
    f("Due Date", Date, 0),
    f("Requested Delivery Date", Date, 0),
    ro("Status", Ty::Enum(&STATUS)),
    f("Currency Code", Code, 10),
    f("Prices Including VAT", Bool, 0),
    f("Customer Price Group", Code, 10),
    f("Payment Terms Code", Code, 10),
    f("Payment Method Code", Code, 10),
    f("Shipment Method Code", Code, 10),
    f("Shipping Advice", Ty::Enum(&SHIPPING_ADVICE), 0),
    f("Ship-to Code", Code, 10),
    f("Ship-to Name", Text, 100),
    f("Ship-to Address", Text, 100),
    f("Ship-to Address 2", Text, 50),
    f("Ship-to City", Text, 30),
    f("Ship-to County", Text, 30),
    f("Ship-to Post Code", Code, 20),
    f("Ship-to Country/Region Code", Code, 10),
    f("Ship-to Contact", Text, 100),
    f("Bill-to Customer No.", Code, 20),
    ro("Bill-to Name", Text),
    f("Location Code", Code, 10),
    f("Shortcut Dimension 1 Code", Code, 20),
    f("Shortcut Dimension 2 Code", Code, 20),
    f("Salesperson Code", Code, 20),
    ro("Completely Shipped", Bool),
];

const LINE_FIELDS: &[Field] = &[
    ro("Document Type", Ty::Enum(&DOCUMENT_TYPE)),
    ro("Document No.", Code),
    f("Line No.", Int, 0),
    f("Type", Ty::Enum(&SALES_LINE_TYPE), 0),
    f("No.", Code, 20),
    f("Variant Code", Code, 10),
    f("Description", Text, 100),
    f("Description 2", Text, 50),
    f("Location Code", Code, 10),
    f("Quantity", Decimal, 0),
    f("Unit of Measure Code", Code, 10),
    f("Unit Price", Decimal, 0),
    f("Line Discount %", Decimal, 0),
    f("Line Discount Amount", Decimal, 0),
    ro("Line Amount", Decimal),
    f("VAT Prod. Posting Group", Code, 20),
    f("Qty. to Ship", Decimal, 0),
    ro("Quantity Shipped", Decimal),
    f("Qty. to Invoice", Decimal, 0),
    ro("Quantity Invoiced", Decimal),
    f("Shipment Date", Date, 0),
];

/// Page 44 "Sales Credit Memo" (drafts; posting is not a page web service operation).
const CREDIT_MEMO_FIELDS: &[Field] = &[
    ro("Document Type", Ty::Enum(&DOCUMENT_TYPE)),
    ro("No.", Code),
    f("Sell-to Customer No.", Code, 20),
    ro("Sell-to Customer Name", Text),
    f("External Document No.", Code, 35),
    f("Posting Date", Date, 0),
    f("Document Date", Date, 0),
    f("Currency Code", Code, 10),
    f("Prices Including VAT", Bool, 0),
    f("Applies-to Doc. Type", Ty::Enum(&APPLIES_TO_DOC_TYPE), 0),
    f("Applies-to Doc. No.", Code, 20),
    ro("Status", Ty::Enum(&STATUS)),
];

/// Page 96 "Sales Cr. Memo Subform".
const CREDIT_MEMO_LINE_FIELDS: &[Field] = &[
    ro("Document Type", Ty::Enum(&DOCUMENT_TYPE)),
    ro("Document No.", Code),
    f("Line No.", Int, 0),
    f("Type", Ty::Enum(&SALES_LINE_TYPE), 0),
    f("No.", Code, 20),
    f("Variant Code", Code, 10),
    f("Description", Text, 100),
    f("Quantity", Decimal, 0),
    f("Unit Price", Decimal, 0),
    f("Line Discount Amount", Decimal, 0),
    ro("Line Amount", Decimal),
];

/// Page 132 "Posted Sales Invoice" (read-only).
const POSTED_INVOICE_FIELDS: &[Field] = &[
    ro("No.", Code),
    ro("Order No.", Code),
    ro("External Document No.", Code),
    ro("Sell-to Customer No.", Code),
    ro("Posting Date", Date),
    ro("Currency Code", Code),
    ro("Prices Including VAT", Bool),
    ro("Amount", Decimal),
    ro("Amount Including VAT", Decimal),
];

/// Page 133 "Posted Sales Invoice Subform" (read-only).
const POSTED_LINE_FIELDS: &[Field] = &[
    ro("Document No.", Code),
    ro("Line No.", Int),
    ro("Type", Ty::Enum(&SALES_LINE_TYPE)),
    ro("No.", Code),
    ro("Variant Code", Code),
    ro("Description", Text),
    ro("Quantity", Decimal),
    ro("Unit Price", Decimal),
    ro("Line Discount Amount", Decimal),
    ro("Line Amount", Decimal),
];

/// Page 134 "Posted Sales Credit Memo" (read-only).
const POSTED_CREDIT_MEMO_FIELDS: &[Field] = &[
    ro("No.", Code),
    ro("External Document No.", Code),
    ro("Sell-to Customer No.", Code),
    ro("Applies-to Doc. Type", Ty::Enum(&APPLIES_TO_DOC_TYPE)),
    ro("Applies-to Doc. No.", Code),
    ro("Posting Date", Date),
    ro("Amount", Decimal),
    ro("Amount Including VAT", Decimal),
];

/// Page 300 "Ship-to Address". `Customer No.` is not shown on the card (it comes from the
/// customer's link), but key fields are always part of a published page's entity.
const SHIP_TO_FIELDS: &[Field] = &[
    f("Customer No.", Code, 20),
    f("Code", Code, 10),
    f("Name", Text, 100),
    f("Address", Text, 100),
    f("Address 2", Text, 50),
    f("City", Text, 30),
    f("County", Text, 30),
    f("Post Code", Code, 20),
    f("Country/Region Code", Code, 10),
    f("Phone No.", Text, 30),
    f("Contact", Text, 100),
    f("E-Mail", Text, 80),
    ro("Last Date Modified", Date),
];

/// The page definitions of one simulator.
#[derive(Clone, Copy, Debug)]
pub struct PageDefs {
    pub company: &'static SetDef,
    pub customer: &'static SetDef,
    pub item: &'static SetDef,
    pub order: &'static SetDef,
    pub lines: &'static SetDef,
    pub ship_to: &'static SetDef,
    pub credit_memo: &'static SetDef,
    pub credit_memo_lines: &'static SetDef,
    pub posted_invoice: &'static SetDef,
    pub posted_invoice_lines: &'static SetDef,
    pub posted_credit_memo: &'static SetDef,
}

impl PageDefs {
    pub fn all(&self) -> [&'static SetDef; 11] {
        [
            self.company,
            self.customer,
            self.item,
            self.order,
            self.lines,
            self.ship_to,
            self.credit_memo,
            self.credit_memo_lines,
            self.posted_invoice,
            self.posted_invoice_lines,
            self.posted_credit_memo,
        ]
    }

    /// The sales document pages: header, lines subpage, the documents shown, whether posted.
    pub fn documents(&self) -> [(&'static SetDef, Option<&'static SetDef>, DocKind, bool); 4] {
        [
            (self.order, Some(self.lines), DocKind::Order, false),
            (self.credit_memo, Some(self.credit_memo_lines), DocKind::CreditMemo, false),
            (self.posted_invoice, Some(self.posted_invoice_lines), DocKind::Invoice, true),
            (self.posted_credit_memo, None, DocKind::CreditMemo, true),
        ]
    }

    /// The document page a header or lines service belongs to.
    pub fn document(&self, name: &str) -> Option<(&'static SetDef, Option<&'static SetDef>, DocKind, bool)> {
        self.documents().into_iter().find(|(header, lines, ..)| header.name == name || lines.is_some_and(|l| l.name == name))
    }

    pub fn by_name(&self, name: &str) -> Option<&'static SetDef> {
        self.all().into_iter().find(|d| d.name == name)
    }
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

struct Page {
    service: String,
    fields: &'static [Field],
    key: &'static [&'static str],
    navs: Vec<Nav>,
    writable: bool,
    table: &'static str,
}

/// Page definitions live for the whole process (a few KB per simulator started).
fn define(page: Page) -> &'static SetDef {
    let props: Vec<Prop> = page
        .fields
        .iter()
        .map(|field| Prop {
            name: leak(mangle(field.caption)),
            ty: field.ty,
            max: field.max,
            access: if field.editable { Access::Write } else { Access::ReadOnly },
            nullable: true,
            flow_filter: field.flow_filter,
        })
        .collect();
    let key: Vec<&'static str> = page.key.iter().map(|k| leak(mangle(k))).collect();
    let name = leak(page.service);
    Box::leak(Box::new(SetDef {
        name,
        type_name: name,
        namespace: "NAV",
        key: Box::leak(key.into_boxed_slice()),
        props: Box::leak(props.into_boxed_slice()),
        navs: Box::leak(page.navs.into_boxed_slice()),
        insert: page.writable,
        update: page.writable,
        delete: page.writable,
        table: page.table,
    }))
}

pub fn build(services: &PageServices) -> PageDefs {
    let lines_name = leak(services.sales_order_lines.clone());
    let credit_memo_lines = leak(services.credit_memo_lines.clone());
    let posted_invoice_lines = leak(services.posted_invoice_lines.clone());
    PageDefs {
        company: define(Page {
            service: "Company".into(),
            fields: COMPANY_FIELDS,
            key: &["Name"],
            navs: Vec::new(),
            writable: false,
            table: "Company",
        }),
        customer: define(Page {
            service: services.customer.clone(),
            fields: CUSTOMER_FIELDS,
            key: &["No."],
            navs: Vec::new(),
            writable: true,
            table: "Customer",
        }),
        item: define(Page {
            service: services.item.clone(),
            fields: ITEM_FIELDS,
            key: &["No."],
            navs: Vec::new(),
            writable: true,
            table: "Item",
        }),
        order: define(Page {
            service: services.sales_order.clone(),
            fields: ORDER_FIELDS,
            key: &["Document Type", "No."],
            navs: vec![Nav { name: lines_name, target: lines_name, many: true }],
            writable: true,
            table: "Sales Header",
        }),
        lines: define(Page {
            service: services.sales_order_lines.clone(),
            fields: LINE_FIELDS,
            key: &["Document Type", "Document No.", "Line No."],
            navs: Vec::new(),
            writable: true,
            table: "Sales Line",
        }),
        credit_memo: define(Page {
            service: services.credit_memo.clone(),
            fields: CREDIT_MEMO_FIELDS,
            key: &["Document Type", "No."],
            navs: vec![Nav { name: credit_memo_lines, target: credit_memo_lines, many: true }],
            writable: true,
            table: "Sales Header",
        }),
        credit_memo_lines: define(Page {
            service: services.credit_memo_lines.clone(),
            fields: CREDIT_MEMO_LINE_FIELDS,
            key: &["Document Type", "Document No.", "Line No."],
            navs: Vec::new(),
            writable: true,
            table: "Sales Line",
        }),
        posted_invoice: define(Page {
            service: services.posted_invoice.clone(),
            fields: POSTED_INVOICE_FIELDS,
            key: &["No."],
            navs: vec![Nav { name: posted_invoice_lines, target: posted_invoice_lines, many: true }],
            writable: false,
            table: "Sales Invoice Header",
        }),
        posted_invoice_lines: define(Page {
            service: services.posted_invoice_lines.clone(),
            fields: POSTED_LINE_FIELDS,
            key: &["Document No.", "Line No."],
            navs: Vec::new(),
            writable: false,
            table: "Sales Invoice Line",
        }),
        posted_credit_memo: define(Page {
            service: services.posted_credit_memo.clone(),
            fields: POSTED_CREDIT_MEMO_FIELDS,
            key: &["No."],
            navs: Vec::new(),
            writable: false,
            table: "Sales Cr.Memo Header",
        }),
        ship_to: define(Page {
            service: services.ship_to.clone(),
            fields: SHIP_TO_FIELDS,
            key: &["Customer No.", "Code"],
            navs: Vec::new(),
            writable: true,
            table: "Ship-to Address",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_mangle_into_edmx_names() {
        assert_eq!(mangle("No."), "No");
        assert_eq!(mangle("Balance (LCY)"), "Balance_LCY");
        assert_eq!(mangle("Country/Region Code"), "Country_Region_Code");
        assert_eq!(mangle("Line Discount %"), "Line_Discount_Percent");
        assert_eq!(mangle("Sell-to E-Mail"), "Sell_to_E_Mail");
        assert_eq!(mangle("Customer's Ref."), "Customer_x0027_s_Ref");
        assert_eq!(mangle("ShortcutDimCode[7]"), "ShortcutDimCode_x005B_7_x005D_");
        assert_eq!(mangle("Qty. to Ship"), "Qty_to_Ship");
    }
}
