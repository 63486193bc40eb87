/**
 * An Adaptive Cards host config close to Teams' light theme (fonts, sizes, spacing, container
 * styles), so previews look like the cards in a Teams channel.
 */
const text = (d: string, subtle: string) => ({ default: d, subtle });

export const teamsLightHostConfig = {
  supportsInteractivity: true,
  fontFamily: '"Segoe UI", "Helvetica Neue", Arial, sans-serif',
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: '#E0E0E0' },
  fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
  fontWeights: { lighter: 200, default: 400, bolder: 600 },
  imageSizes: { small: 32, medium: 52, large: 100 },
  actions: {
    maxActions: 6,
    spacing: 'default',
    buttonSpacing: 8,
    showCard: { actionMode: 'inline', inlineTopMargin: 16 },
    actionsOrientation: 'horizontal',
    actionAlignment: 'left',
  },
  adaptiveCard: { allowCustomStyle: true },
  containerStyles: {
    default: {
      backgroundColor: '#FFFFFF',
      foregroundColors: {
        default: text('#242424', '#616161'),
        dark: text('#242424', '#616161'),
        light: text('#FFFFFF', '#FFFFFF'),
        accent: text('#5B5FC7', '#5B5FC7'),
        good: text('#237B4B', '#237B4B'),
        warning: text('#835B00', '#835B00'),
        attention: text('#C4314B', '#C4314B'),
      },
    },
    emphasis: { backgroundColor: '#F5F5F5', foregroundColors: { default: text('#242424', '#616161') } },
    accent: { backgroundColor: '#E8EBFA', foregroundColors: { default: text('#242424', '#616161') } },
    good: { backgroundColor: '#E7F2DA', foregroundColors: { default: text('#242424', '#616161') } },
    attention: { backgroundColor: '#FCF4F6', foregroundColors: { default: text('#242424', '#616161') } },
    warning: { backgroundColor: '#FBF6D9', foregroundColors: { default: text('#242424', '#616161') } },
  },
  factSet: {
    title: { weight: 'bolder', size: 'default', color: 'default', wrap: true, maxWidth: 170 },
    value: { weight: 'default', size: 'default', color: 'default', wrap: true },
    spacing: 8,
  },
} as const;
