export const signIn = {
  title: "Sign in",
  intro: "We'll text you a code. Signing in for the first time makes your account.",
  phoneLabel: "What is your mobile number?",
  phoneHint: "For example, 07700 900123",
  phoneMissing: "Enter your mobile number",
  send: "Text me a code",
  codeTitle: "Check your texts",
  codeIntro: (number) => `We sent a 6-digit code to ${number}. It works for 10 minutes.`,
  codeLabel: "What is the code?",
  codeMissing: "Enter the 6-digit code from the text",
  nameLabel: "What should people call you?",
  nameHint: "Only needed the first time. Your first name is fine.",
  signIn: "Sign in",
  newCode: "Text me a new code",
  otherNumber: "Use a different number",
  locked: "This number is locked for a while after too many wrong codes. Please try again later.",
  deviceName: (browser) => `${browser} (web app)`,
};

export const signOut = {
  action: "Sign out",
  confirmTitle: "Sign out of this phone?",
  confirmBody: "This removes everything Circle saved on this phone, including the offline copy of your plan and any drafts.",
  confirm: "Sign out",
};
