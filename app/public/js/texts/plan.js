// The names of a plan's sections, in the member's own words where we can
// (crisisplans/sections.py has the same names for the API).
export const sectionNames = {
  when_well: "When I am well",
  triggers: "Things that can set me off",
  warning_signs: "Early signs I'm not OK",
  what_helps: "What helps, and what doesn't",
  coping_strategies: "Things I can do to cope",
  reasons_for_living: "My reasons for living",
  contacts: "Who to contact, and who not to",
  professional_contacts: "Professionals who support me",
  on_call_steps: "What on-call peers should do, step by step",
  practical_needs: "Practical things",
  safe_places: "Safe places",
  out_of_crisis_signs: "Signs I'm out of crisis",
  afterwards: "What I'd like afterwards",
};

export const fieldNames = {
  helps: "Helps",
  does_not_help: "Doesn't help",
  strategies: "Things to try",
  notes: "Notes",
  contact_in_order: "Contact, in this order",
  do_not_contact: "Do not contact",
  check_in_from: "A check-in from",
  check_in_after_hours: "Check in after (hours)",
  name: "Name",
  role: "Role",
  phone: "Phone",
  pets: "Pets",
  children: "Children",
  medication: "Medication",
  other: "Other",
};
