// strings.js: the texts of the prediction list (views/prediction/prediction.js), in English
// and Chinese, written for this page.

export const TEXTS = {
  en: {
    'prediction.title': 'The network\'s guess',
    'prediction.label': 'Class probabilities',
    'prediction.waiting': 'Draw something, or pick a test image, and the network\'s guess appears here.',
    'prediction.top': '{name}, with probability {pct}',
    'prediction.truth': 'True class: {name}',
    'prediction.right': '✓ right',
    'prediction.wrong': '✗ wrong',
    'prediction.fromDrawing': 'For your drawing. The ten probabilities add up to 1: softmax shares the network\'s confidence among the classes.',
    'prediction.fromGallery': 'For test image #{index}. The ten probabilities add up to 1: softmax shares the network\'s confidence among the classes.',
    'prediction.fromInput': 'For the current input. The ten probabilities add up to 1: softmax shares the network\'s confidence among the classes.',
    'prediction.item': '{name}: {pct}',
  },
  zh: {
    'prediction.title': '网络的判断',
    'prediction.label': '各类别的概率',
    'prediction.waiting': '画点什么，或者选一张测试图像，网络的判断就会显示在这里。',
    'prediction.top': '{name}，概率 {pct}',
    'prediction.truth': '真实类别：{name}',
    'prediction.right': '✓ 判断正确',
    'prediction.wrong': '✗ 判断错误',
    'prediction.fromDrawing': '针对你的画。十个概率加起来等于 1：softmax 把网络的把握分给了各个类别。',
    'prediction.fromGallery': '针对测试图像 #{index}。十个概率加起来等于 1：softmax 把网络的把握分给了各个类别。',
    'prediction.fromInput': '针对当前的输入。十个概率加起来等于 1：softmax 把网络的把握分给了各个类别。',
    'prediction.item': '{name}：{pct}',
  },
};
