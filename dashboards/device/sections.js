// Device page blocks contributed by capabilities, shown between the contacts
// and the parameters. Each entry: { id, title, render(device, ctx) → Node | Promise<Node> | null }
// (null: nothing to show for this device). Planned by the NOC dashboard issue:
//   "line"        line and subscriber                      (returns / rentals)
//   "linkrate"    link-rate history against the line's advertised range (link rates)
//   "optical"     optical levels                           (link rates)
// Wi-Fi change and speed test actions join the action bar (pages/device-actions.js).

export const DEVICE_SECTIONS = [];
