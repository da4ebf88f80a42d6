//! The shape of an entity set as the OData layer needs it: properties with their EDM type,
//! maximum length and writability, navigation properties, allowed verbs, and the enum types of
//! the API v2.0 `$metadata` (member names and values copied from the captured metadata).
//! Entity modules declare their sets with the `const fn` builders below.

use super::value::unescape_member;

/// EDM type of a property. `Code` is an `Edm.String` backed by an AL `Code[n]` field: BC
/// upper-cases and trims it on write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Guid,
    Text,
    Code,
    Decimal,
    Int,
    Int64,
    Bool,
    Date,
    DateTime,
    Enum(&'static EnumDef),
}

impl Ty {
    pub fn edm_name(&self) -> String {
        match self {
            Ty::Guid => "Edm.Guid".into(),
            Ty::Text | Ty::Code => "Edm.String".into(),
            Ty::Decimal => "Edm.Decimal".into(),
            Ty::Int => "Edm.Int32".into(),
            Ty::Int64 => "Edm.Int64".into(),
            Ty::Bool => "Edm.Boolean".into(),
            Ty::Date => "Edm.Date".into(),
            Ty::DateTime => "Edm.DateTimeOffset".into(),
            Ty::Enum(def) => format!("Microsoft.NAV.{}", def.name),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Rejected in POST and PATCH bodies.
    ReadOnly,
    Write,
    /// Accepted on POST; a PATCH may only repeat the current value.
    CreateOnly,
}

#[derive(Debug, PartialEq)]
pub struct Prop {
    pub name: &'static str,
    pub ty: Ty,
    /// Maximum length in characters; 0 = unlimited.
    pub max: usize,
    pub access: Access,
    pub nullable: bool,
    /// NAV page FlowFilter (`Location_Filter`): filtering on it changes FlowFields instead of rows.
    pub flow_filter: bool,
}

impl Prop {
    pub const fn not_null(self) -> Prop {
        Prop { nullable: false, ..self }
    }

    pub const fn flow_filter(self) -> Prop {
        Prop { flow_filter: true, ..self }
    }
}

const fn prop(name: &'static str, ty: Ty, max: usize, access: Access) -> Prop {
    Prop { name, ty, max, access, nullable: true, flow_filter: false }
}

/// Writable property.
pub const fn w(name: &'static str, ty: Ty) -> Prop {
    prop(name, ty, 0, Access::Write)
}

/// Writable string with a maximum length.
pub const fn wl(name: &'static str, ty: Ty, max: usize) -> Prop {
    prop(name, ty, max, Access::Write)
}

/// Read-only property.
pub const fn r(name: &'static str, ty: Ty) -> Prop {
    prop(name, ty, 0, Access::ReadOnly)
}

/// Read-only string with a maximum length (kept for `$metadata`).
pub const fn rl(name: &'static str, ty: Ty, max: usize) -> Prop {
    prop(name, ty, max, Access::ReadOnly)
}

/// Property that can be set on create only.
pub const fn c(name: &'static str, ty: Ty, max: usize) -> Prop {
    prop(name, ty, max, Access::CreateOnly)
}

#[derive(Debug)]
pub struct Nav {
    pub name: &'static str,
    /// Name of the target entity set (its definition is looked up by name).
    pub target: &'static str,
    pub many: bool,
}

pub const fn one(name: &'static str, target: &'static str) -> Nav {
    Nav { name, target, many: false }
}

pub const fn many(name: &'static str, target: &'static str) -> Nav {
    Nav { name, target, many: true }
}

/// An entity set (API) or a published page (NAV OData V4).
#[derive(Debug)]
pub struct SetDef {
    pub name: &'static str,
    /// EDM type name (`customer`, or the page service name for pages).
    pub type_name: &'static str,
    /// `Microsoft.NAV` for the API, `NAV` for page web services.
    pub namespace: &'static str,
    pub key: &'static [&'static str],
    pub props: &'static [Prop],
    pub navs: &'static [Nav],
    pub insert: bool,
    pub update: bool,
    pub delete: bool,
    /// Caption of the backing table, for BC's record messages.
    pub table: &'static str,
}

impl SetDef {
    pub fn prop(&self, name: &str) -> Option<&'static Prop> {
        self.props.iter().find(|p| p.name == name)
    }

    pub fn nav(&self, name: &str) -> Option<&'static Nav> {
        self.navs.iter().find(|n| n.name == name)
    }

    pub fn full_type(&self) -> String {
        format!("{}.{}", self.namespace, self.type_name)
    }
}

/// An enum type of the API (`Microsoft.NAV.<name>`).
#[derive(Debug, PartialEq, Eq)]
pub struct EnumDef {
    pub name: &'static str,
    pub members: &'static [(&'static str, i32)],
}

impl EnumDef {
    pub fn index_of(&self, member: &str) -> Option<usize> {
        self.members.iter().position(|(name, _)| *name == member)
    }

    pub fn member(&self, index: usize) -> &'static str {
        self.members.get(index).map(|(name, _)| *name).unwrap_or("")
    }

    /// Captions as AL lists them in "is not an option" errors: `Inventory,Service,Non-Inventory`.
    pub fn captions(&self) -> String {
        self.members.iter().map(|(name, _)| unescape_member(name)).collect::<Vec<_>>().join(",")
    }
}

pub static ITEM_TYPE: EnumDef =
    EnumDef { name: "itemType", members: &[("Inventory", 0), ("Service", 1), ("Non_x002D_Inventory", 2)] };

pub static CONTACT_TYPE: EnumDef = EnumDef { name: "contactType", members: &[("Company", 0), ("Person", 1)] };

pub static CUSTOMER_BLOCKED: EnumDef =
    EnumDef { name: "customerBlocked", members: &[("_x0020_", 0), ("Ship", 1), ("Invoice", 2), ("All", 3)] };

pub static INVOICE_STATUS: EnumDef = EnumDef {
    name: "invoiceEntityAggregateStatus",
    members: &[
        ("_x0020_", 0),
        ("Draft", 1),
        ("In_x0020_Review", 2),
        ("Open", 3),
        ("Paid", 4),
        ("Canceled", 5),
        ("Corrective", 6),
    ],
};

pub static ORDER_STATUS: EnumDef =
    EnumDef { name: "salesOrderEntityBufferStatus", members: &[("Draft", 0), ("In_x0020_Review", 1), ("Open", 2)] };

pub static CREDIT_MEMO_STATUS: EnumDef = EnumDef {
    name: "salesCrMemoEntityBufferStatus",
    members: &[("Draft", 0), ("In_x0020_Review", 1), ("Open", 2), ("Canceled", 3), ("Corrective", 4), ("Paid", 5)],
};

pub static LINE_TYPE: EnumDef = EnumDef {
    name: "invoiceLineAggLineType",
    members: &[
        ("Comment", 0),
        ("Account", 1),
        ("Item", 2),
        ("Resource", 3),
        ("Fixed_x0020_Asset", 4),
        ("Charge", 5),
        ("Allocation_x0020_Account", 10),
    ],
};

pub static SALES_LINE_TYPE: EnumDef = EnumDef {
    name: "salesLineType",
    members: &[
        ("_x0020_", 0),
        ("G_x002F_L_x0020_Account", 1),
        ("Item", 2),
        ("Resource", 3),
        ("Fixed_x0020_Asset", 4),
        ("Charge_x0020__x0028_Item_x0029_", 5),
        ("Allocation_x0020_Account", 10),
        ("Service_x0020_Object", 8000),
    ],
};

pub static DIMENSION_PARENT_TYPE: EnumDef = EnumDef {
    name: "dimensionSetEntryBufferParentType",
    members: &[
        ("_x0020_", 0),
        ("Journal_x0020_Line", 1),
        ("Sales_x0020_Order", 2),
        ("Sales_x0020_Order_x0020_Line", 3),
        ("Sales_x0020_Quote", 4),
        ("Sales_x0020_Quote_x0020_Line", 5),
        ("Sales_x0020_Credit_x0020_Memo", 6),
        ("Sales_x0020_Credit_x0020_Memo_x0020_Line", 7),
        ("Sales_x0020_Invoice", 8),
        ("Sales_x0020_Invoice_x0020_Line", 9),
        ("Purchase_x0020_Invoice", 10),
        ("Purchase_x0020_Invoice_x0020_Line", 11),
        ("General_x0020_Ledger_x0020_Entry", 12),
        ("Time_x0020_Registration_x0020_Entry", 13),
        ("Sales_x0020_Shipment", 14),
        ("Sales_x0020_Shipment_x0020_Line", 15),
        ("Purchase_x0020_Receipt", 16),
        ("Purchase_x0020_Receipt_x0020_Line", 17),
        ("Purchase_x0020_Order", 18),
        ("Purchase_x0020_Order_x0020_Line", 19),
        ("Purchase_x0020_Credit_x0020_Memo", 20),
        ("Purchase_x0020_Credit_x0020_Memo_x0020_Line", 21),
    ],
};

pub static ENTRY_TYPE: EnumDef = EnumDef {
    name: "itemLedgerEntryType",
    members: &[
        ("Purchase", 0),
        ("Sale", 1),
        ("Positive_x0020_Adjmt_x002E_", 2),
        ("Negative_x0020_Adjmt_x002E_", 3),
        ("Transfer", 4),
        ("Consumption", 5),
        ("Output", 6),
        ("_x0020_", 7),
        ("Assembly_x0020_Consumption", 8),
        ("Assembly_x0020_Output", 9),
    ],
};

pub static SOURCE_TYPE: EnumDef =
    EnumDef { name: "analysisSourceType", members: &[("_x0020_", 0), ("Customer", 1), ("Vendor", 2), ("Item", 3)] };

pub static LEDGER_DOCUMENT_TYPE: EnumDef = EnumDef {
    name: "itemLedgerDocumentType",
    members: &[
        ("_x0020_", 0),
        ("Sales_x0020_Shipment", 1),
        ("Sales_x0020_Invoice", 2),
        ("Sales_x0020_Return_x0020_Receipt", 3),
        ("Sales_x0020_Credit_x0020_Memo", 4),
        ("Purchase_x0020_Receipt", 5),
        ("Purchase_x0020_Invoice", 6),
        ("Purchase_x0020_Return_x0020_Shipment", 7),
        ("Purchase_x0020_Credit_x0020_Memo", 8),
        ("Transfer_x0020_Shipment", 9),
        ("Transfer_x0020_Receipt", 10),
        ("Service_x0020_Shipment", 11),
        ("Service_x0020_Invoice", 12),
        ("Service_x0020_Credit_x0020_Memo", 13),
        ("Posted_x0020_Assembly", 14),
        ("Inventory_x0020_Receipt", 19),
        ("Inventory_x0020_Shipment", 20),
        ("Direct_x0020_Transfer", 21),
    ],
};

pub static GL_ACCOUNT_CATEGORY: EnumDef = EnumDef {
    name: "glAccountCategory",
    members: &[
        ("_x0020_", 0),
        ("Assets", 1),
        ("Liabilities", 2),
        ("Equity", 3),
        ("Income", 4),
        ("Cost_x0020_of_x0020_Goods_x0020_Sold", 5),
        ("Expense", 6),
    ],
};

pub static GL_ACCOUNT_TYPE: EnumDef = EnumDef {
    name: "glAccountType",
    members: &[("Posting", 0), ("Heading", 1), ("Total", 2), ("Begin_x002D_Total", 3), ("End_x002D_Total", 4)],
};

pub static TAX_TYPE: EnumDef = EnumDef { name: "taxBufferType", members: &[("Sales_x0020_Tax", 0), ("VAT", 1)] };

pub static ADDRESS_FORMAT: EnumDef = EnumDef {
    name: "countryRegionAddressFormat",
    members: &[
        ("Post_x0020_Code_x002B_City", 0),
        ("City_x002B_Post_x0020_Code", 1),
        ("City_x002B_County_x002B_Post_x0020_Code", 2),
        ("Blank_x0020_Line_x002B_Post_x0020_Code_x002B_City", 3),
        ("Custom", 13),
    ],
};

/// Every enum type the simulator declares in `$metadata`.
pub static ALL_ENUMS: &[&EnumDef] = &[
    &ITEM_TYPE,
    &CONTACT_TYPE,
    &CUSTOMER_BLOCKED,
    &INVOICE_STATUS,
    &ORDER_STATUS,
    &CREDIT_MEMO_STATUS,
    &LINE_TYPE,
    &SALES_LINE_TYPE,
    &DIMENSION_PARENT_TYPE,
    &ENTRY_TYPE,
    &SOURCE_TYPE,
    &LEDGER_DOCUMENT_TYPE,
    &GL_ACCOUNT_CATEGORY,
    &GL_ACCOUNT_TYPE,
    &TAX_TYPE,
    &ADDRESS_FORMAT,
];
