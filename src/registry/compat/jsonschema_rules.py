"""Confluent Schema Registry's JSON Schema change types, as data: is each one safe, and why.

Names follow Confluent's ``Difference.Type`` (lower-case, hyphenated) so users of its registry
recognise them. A change is judged from the writer's schema (Confluent's "original") to the
reader's (its "update"): it is compatible when the reader still accepts everything the writer may
produce. For BACKWARD the writer is the previous version and the reader the new one; FORWARD swaps
them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    compatible: bool
    reason: str


def _rules(compatible: bool, table: dict[str, str]) -> dict[str, Rule]:
    return {name: Rule(compatible, reason) for name, reason in table.items()}


RULES: dict[str, Rule] = {
    **_rules(
        True,
        {
            "schema-removed": "the reader no longer constrains this value",
            "type-extended": "the reader accepts any number where the writer wrote integers",
            "max-length-increased": "the reader accepts longer strings",
            "max-length-removed": "the reader no longer limits string length",
            "min-length-decreased": "the reader accepts shorter strings",
            "min-length-removed": "the reader no longer requires a minimum length",
            "pattern-removed": "the reader no longer requires a pattern",
            "maximum-increased": "the reader accepts larger numbers",
            "maximum-removed": "the reader no longer limits the maximum",
            "minimum-decreased": "the reader accepts smaller numbers",
            "minimum-removed": "the reader no longer limits the minimum",
            "exclusive-maximum-increased": "the reader accepts larger numbers",
            "exclusive-maximum-removed": "the reader no longer limits the maximum",
            "exclusive-minimum-decreased": "the reader accepts smaller numbers",
            "exclusive-minimum-removed": "the reader no longer limits the minimum",
            "multiple-of-reduced": "the reader's multipleOf divides the writer's",
            "multiple-of-removed": "the reader no longer requires a multiple",
            "required-attribute-with-default-added": "the new required property has a default",
            "required-attribute-removed": "the reader no longer requires the property",
            "dependency-array-narrowed": "the reader requires fewer dependent properties",
            "dependency-array-removed": "the reader dropped a property dependency",
            "dependency-schema-removed": "the reader dropped a schema dependency",
            "max-properties-increased": "the reader accepts more properties",
            "max-properties-removed": "the reader no longer limits the number of properties",
            "min-properties-decreased": "the reader accepts fewer properties",
            "min-properties-removed": "the reader no longer requires a minimum of properties",
            "additional-properties-added": "the reader now accepts additional properties",
            "additional-properties-extended": "the reader accepts any additional property",
            "property-with-empty-schema-added-to-open-content-model": (
                "the new property accepts anything, as the open content model did"
            ),
            "required-property-with-default-added-to-unopen-content-model": (
                "the writer could not have written the property, and it has a default"
            ),
            "optional-property-added-to-unopen-content-model": (
                "the writer's closed content model could not have written the property"
            ),
            "property-with-false-removed-from-closed-content-model": (
                "the property was forbidden (false) anyway"
            ),
            "property-removed-from-open-content-model": (
                "the reader's open content model accepts the property as an additional one"
            ),
            "property-added-is-covered-by-partially-open-content-model": (
                "the writer's additionalProperties/patternProperties schema already fits it"
            ),
            "property-removed-is-covered-by-partially-open-content-model": (
                "the reader's additionalProperties/patternProperties schema accepts it"
            ),
            "max-items-increased": "the reader accepts longer arrays",
            "max-items-removed": "the reader no longer limits array length",
            "min-items-decreased": "the reader accepts shorter arrays",
            "min-items-removed": "the reader no longer requires a minimum array length",
            "unique-items-removed": "the reader no longer requires unique items",
            "additional-items-added": "the reader now accepts additional items",
            "additional-items-extended": "the reader accepts any additional item",
            "item-with-empty-schema-added-to-open-content-model": "the new item accepts anything",
            "item-added-to-closed-content-model": "the writer could not have written the item",
            "item-with-false-removed-from-closed-content-model": "the item was forbidden anyway",
            "item-removed-from-open-content-model": "the reader accepts it as an additional item",
            "item-added-is-covered-by-partially-open-content-model": "already fitted the writer",
            "item-removed-is-covered-by-partially-open-content-model": "the reader accepts it",
            "enum-array-extended": "the reader accepts more enum values",
            "combined-type-extended": "the reader's combination is looser",
            "product-type-narrowed": "the reader's allOf has fewer constraints",
            "sum-type-extended": "the reader's anyOf/oneOf has more alternatives",
            "not-type-narrowed": "the reader's not excludes less",
        },
    ),
    **_rules(
        False,
        {
            "schema-added": "the reader constrains a value the writer left unconstrained",
            "type-narrowed": "the reader accepts only integers where the writer wrote numbers",
            "type-changed": "the reader expects a different type",
            "max-length-added": "the reader limits string length; the writer did not",
            "max-length-decreased": "the reader accepts only shorter strings",
            "min-length-added": "the reader requires a minimum length; the writer did not",
            "min-length-increased": "the reader requires longer strings",
            "pattern-added": "the reader requires a pattern; the writer did not",
            "pattern-changed": "the reader requires a different pattern",
            "maximum-added": "the reader limits the maximum; the writer did not",
            "maximum-decreased": "the reader accepts only smaller numbers",
            "minimum-added": "the reader limits the minimum; the writer did not",
            "minimum-increased": "the reader accepts only larger numbers",
            "exclusive-maximum-added": "the reader limits the maximum; the writer did not",
            "exclusive-maximum-decreased": "the reader accepts only smaller numbers",
            "exclusive-minimum-added": "the reader limits the minimum; the writer did not",
            "exclusive-minimum-increased": "the reader accepts only larger numbers",
            "multiple-of-added": "the reader requires a multiple; the writer did not",
            "multiple-of-expanded": "the reader requires a multiple of a larger step",
            "multiple-of-changed": "the reader requires an unrelated multiple",
            "required-attribute-added": "the reader requires a property the writer may omit",
            "dependency-array-added": "the reader adds a property dependency",
            "dependency-array-extended": "the reader requires more dependent properties",
            "dependency-array-changed": "the reader requires different dependent properties",
            "dependency-schema-added": "the reader adds a schema dependency",
            "max-properties-added": "the reader limits the number of properties",
            "max-properties-decreased": "the reader accepts fewer properties",
            "min-properties-added": "the reader requires a minimum number of properties",
            "min-properties-increased": "the reader requires more properties",
            "additional-properties-removed": "the reader no longer accepts additional properties",
            "additional-properties-narrowed": "the reader constrains additional properties",
            "property-added-to-open-content-model": (
                "the writer's open content model may already have written this property with any "
                "value"
            ),
            "required-property-added-to-unopen-content-model": (
                "the reader requires a new property without a default, which the writer never wrote"
            ),
            "property-removed-from-closed-content-model": (
                "the reader's closed content model rejects a property the writer may write"
            ),
            "property-removed-not-covered-by-partially-open-content-model": (
                "the reader's additionalProperties/patternProperties schema rejects the writer's "
                "property"
            ),
            "property-added-not-covered-by-partially-open-content-model": (
                "the writer's additionalProperties/patternProperties may have written values the "
                "new property rejects"
            ),
            "max-items-added": "the reader limits array length; the writer did not",
            "max-items-decreased": "the reader accepts only shorter arrays",
            "min-items-added": "the reader requires a minimum array length",
            "min-items-increased": "the reader requires longer arrays",
            "unique-items-added": "the reader requires unique items",
            "additional-items-removed": "the reader no longer accepts additional items",
            "additional-items-narrowed": "the reader constrains additional items",
            "item-added-to-open-content-model": "the writer may have written any value there",
            "item-removed-from-closed-content-model": "the reader rejects an item the writer wrote",
            "item-removed-not-covered-by-partially-open-content-model": "the reader rejects it",
            "item-added-not-covered-by-partially-open-content-model": "the writer wrote others",
            "enum-array-narrowed": "the reader accepts fewer enum values",
            "enum-array-changed": "the reader accepts different enum values",
            "combined-type-changed": "the reader combines its subschemas differently",
            "product-type-extended": "the reader's allOf adds constraints",
            "sum-type-narrowed": "the reader's anyOf/oneOf has fewer alternatives",
            "combined-type-subschemas-changed": (
                "no one-to-one pairing of the subschemas is compatible"
            ),
            "not-type-extended": "the reader's not excludes more",
        },
    ),
}
