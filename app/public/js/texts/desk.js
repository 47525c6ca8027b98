// The words of the desk's frame (screens/desk.js, desk_frame.js). Each
// section has its own texts/desk_<section>.js.
export const deskTexts = {
  title: "Your desk",
  homeLink: "Your desk: membership, the rota, the map, the directory and alerts",
  none: "You don't navigate or facilitate a network, so there is no desk for you.",
  notYours: "You don't navigate or facilitate this network.",
  noSuchSection: "There is no such page on the desk.",
  allNetworks: "All your networks",
  switchTo: "Network",
  sectionsLabel: "Desk",
  yourRole: (role) => `You are its ${role}.`,
  role: { navigator: "navigator", facilitator: "facilitator", member: "member" },
  sections: {
    members: "Membership",
    rota: "Rota",
    map: "Map",
    directory: "Directory",
    alerts: "Alerts",
    paging: "Reaching peers",
  },
};
